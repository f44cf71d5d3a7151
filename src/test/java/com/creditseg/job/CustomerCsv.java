package com.creditseg.job;

import java.util.ArrayList;
import java.util.List;

/** Canonical-column CSV lines for the command-line tests. */
final class CustomerCsv {
  static final String HEADER =
      "customer_id,annual_income,credit_utilization_ratio,payment_history,late_payments_24m,"
          + "credit_history_months,recent_inquiries,number_of_credit_accounts,employment_status,"
          + "defaulted";

  private CustomerCsv() {}

  /** A clean customer line with the given id; values vary with n so clusters can form. */
  static String good(String id, int n) {
    return String.join(
        ",",
        id,
        String.valueOf(30_000 + 1_000 * (n % 50)),
        String.valueOf(0.1 + 0.015 * (n % 40)),
        String.valueOf(0.80 + 0.004 * (n % 50)),
        String.valueOf(n % 5),
        String.valueOf(12 + 3 * (n % 60)),
        String.valueOf(n % 4),
        String.valueOf(1 + n % 7),
        n % 3 == 0 ? "Unemployed" : "Employed",
        String.valueOf(n % 9 == 0 ? 1 : 0));
  }

  /** Lines g0 .. g(count-1). */
  static List<String> goodLines(int count) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      lines.add(good("g" + i, i));
    }
    return lines;
  }
}
