package io.airlock.policy.mask;

/**
 * Content detectors over a char slice, without allocating. Each matches the whole value (leading
 * and trailing whitespace ignored); {@link FreeText} finds the same kinds inside longer text.
 */
final class Detection {
  private Detection() {}

  /** 13-19 digits, single spaces or dashes allowed between digits, Luhn-valid. */
  static boolean isCard(char[] c, int off, int len) {
    int start = off;
    int end = off + len;
    while (start < end && c[start] <= ' ') {
      start++;
    }
    while (end > start && c[end - 1] <= ' ') {
      end--;
    }
    if (end - start < 13 || !isDigit(c[start]) || !isDigit(c[end - 1])) {
      return false;
    }
    int digits = 0;
    int sum = 0;
    boolean prevSep = false;
    for (int i = end - 1; i >= start; i--) {
      char ch = c[i];
      if (isDigit(ch)) {
        int d = ch - '0';
        if ((digits & 1) == 1) {
          d <<= 1;
          if (d > 9) {
            d -= 9;
          }
        }
        sum += d;
        if (++digits > 19) {
          return false;
        }
        prevSep = false;
      } else if ((ch == ' ' || ch == '-') && !prevSep) {
        prevSep = true;
      } else {
        return false;
      }
    }
    return digits >= 13 && sum % 10 == 0;
  }

  /** ddd-dd-dddd */
  static boolean isSsn(char[] c, int off, int len) {
    int start = off;
    int end = off + len;
    while (start < end && c[start] <= ' ') {
      start++;
    }
    while (end > start && c[end - 1] <= ' ') {
      end--;
    }
    if (end - start != 11) {
      return false;
    }
    for (int i = 0; i < 11; i++) {
      char ch = c[start + i];
      if (i == 3 || i == 6) {
        if (ch != '-') {
          return false;
        }
      } else if (!isDigit(ch)) {
        return false;
      }
    }
    return true;
  }

  /**
   * ISO 13616: two letters, two check digits, up to 30 alphanumerics (15-34 in all, single spaces
   * allowed between characters, either case), mod-97 of the rearranged number equal to 1.
   */
  static boolean isIban(char[] c, int off, int len) {
    int start = off;
    int end = off + len;
    while (start < end && c[start] <= ' ') {
      start++;
    }
    while (end > start && c[end - 1] <= ' ') {
      end--;
    }
    if (end - start < 15
        || end - start > 34 + 33
        || !isLetter(c[start])
        || !isLetter(c[start + 1])
        || !isDigit(c[start + 2])
        || !isDigit(c[start + 3])) {
      return false;
    }
    int count = 4;
    int rem = 0;
    boolean prevSpace = false;
    for (int i = start + 4; i < end; i++) {
      char ch = c[i];
      if (ch == ' ') {
        if (prevSpace) {
          return false;
        }
        prevSpace = true;
        continue;
      }
      prevSpace = false;
      if (++count > 34) {
        return false;
      }
      rem = addIbanChar(rem, ch);
      if (rem < 0) {
        return false;
      }
    }
    if (count < 15) {
      return false;
    }
    for (int i = start; i < start + 4; i++) {
      rem = addIbanChar(rem, c[i]);
    }
    return rem == 1;
  }

  private static int addIbanChar(int rem, char ch) {
    if (isDigit(ch)) {
      return (rem * 10 + (ch - '0')) % 97;
    }
    if (ch >= 'A' && ch <= 'Z') {
      return (rem * 100 + (ch - 'A' + 10)) % 97;
    }
    if (ch >= 'a' && ch <= 'z') {
      return (rem * 100 + (ch - 'a' + 10)) % 97;
    }
    return -1;
  }

  private static boolean isDigit(char ch) {
    return ch >= '0' && ch <= '9';
  }

  private static boolean isLetter(char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
  }
}
