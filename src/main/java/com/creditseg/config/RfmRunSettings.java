package com.creditseg.config;

/**
 * The settings of an {@code rfm} run: the shared ones (run date, output, profile) and the {@code
 * transactions} and {@code rfm} blocks. Built by {@link SettingsLoader#loadRfm}.
 */
public record RfmRunSettings(Settings base, TransactionSettings transactions, RfmSettings rfm) {}
