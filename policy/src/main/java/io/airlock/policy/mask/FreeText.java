package io.airlock.policy.mask;

/**
 * Finds card numbers, SSNs and IBANs written inside longer text (support staff's notes), so the
 * masker can mask just those spans. {@link Detection} answers only for a whole value.
 *
 * <p>Two forward scans, no regular expressions. Every match holds digits, so the scans skip
 * non-digits with one comparison each and do their work at digit-group starts (a digit with no
 * digit before it): an IBAN is tried where two letters precede the group, an SSN where no number
 * does, a card window from every group start. Each try looks at most a fixed number of characters
 * ahead (an IBAN 34 characters plus its spaces, a card 19 digits plus separators), so the work is
 * linear in the text whatever it contains. The second (card) scan runs only from the first chain
 * of 13 digits, so ordinary text with dates, amounts and phone numbers is read once. Nothing is
 * allocated after the first strings; the span arrays grow only when a string holds more spans
 * than any before.
 *
 * <ul>
 *   <li>IBAN: two ASCII letters, two check digits, then ASCII letters/digits either run together or
 *       in groups of four after single spaces (the last group may be shorter); 15-34 characters
 *       without the spaces, ISO 13616 mod-97 equal to 1; no letter or digit right after it (the
 *       text before it does not matter). The longest valid reading wins.
 *   <li>SSN: {@code ddd-dd-dddd}, not continued by a digit, or by a dash and a digit, on either
 *       side (so it is not the middle of a longer dashed number). No area-number rules, the same
 *       as the whole-value detector.
 *   <li>Card: whole digit groups (a digit run is never split, so nothing is carved out of a
 *       longer run) joined by single spaces or dashes, 13-19 digits in all, Luhn-valid. Every such
 *       window is found, not just the first, and overlapping windows are merged into one span, so
 *       unrelated numbers written right before a card (a date, say) cannot leave part of it in
 *       clear.
 * </ul>
 *
 * IBANs and SSNs are found first and claim their characters: a card window never overlaps them, so
 * an IBAN's digit groups are not also read as a card. A claimed span counts even when the grant
 * unmasks its class; the caller decides what to mask.
 */
final class FreeText {

  /** The shortest text that can hold a match (an SSN). */
  static final int MIN_LENGTH = 11;

  private static final int[] DOUBLED = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
  private static final int MAX_IBAN = 34;
  private static final int MAX_CARD = 19;
  private static final int MIN_CARD = 13;
  private static final int MIN_IBAN = 15;
  // 10^6 mod 97: the rearranged IBAN ends with the six digits of country code and check digits
  private static final int SHIFT_HEAD = 1_000_000 % 97;

  // IBAN and SSN spans, then card spans, then both merged in order
  private final Spans claims = new Spans();
  private final Spans cards = new Spans();
  private final Spans found = new Spans();

  /**
   * Scans {@code c[off, off + len)} and returns how many spans it found; read them with {@link
   * #start}, {@link #end} and {@link #detector}, in text order, not overlapping.
   */
  int find(char[] c, int off, int len, boolean card, boolean ssn, boolean iban) {
    claims.n = 0;
    cards.n = 0;
    found.n = 0;
    if (len < MIN_LENGTH) {
      return 0;
    }
    int end = off + len;
    // every match holds digits, so non-digits cost one comparison each; the card pass starts at
    // the first run of 13 digits joined by single separators, if there is one
    int cardFrom = claim(c, off, end, ssn, iban);
    if (card && cardFrom >= 0) {
      cards(c, cardFrom, end);
    }
    int a = 0;
    int b = 0;
    while (a < claims.n || b < cards.n) {
      if (b == cards.n || (a < claims.n && claims.start[a] < cards.start[b])) {
        found.add(claims.start[a], claims.end[a], claims.kind[a]);
        a++;
      } else {
        found.add(cards.start[b], cards.end[b], Detector.CARD);
        b++;
      }
    }
    return found.n;
  }

  int start(int i) {
    return found.start[i];
  }

  int end(int i) {
    return found.end[i];
  }

  Detector detector(int i) {
    return found.kind[i];
  }

  /**
   * Finds IBANs and SSNs. Returns where the first chain of at least 13 digits outside them starts
   * (digit groups joined by one space or dash), or -1: a card can only lie in such a chain.
   */
  private int claim(char[] c, int off, int end, boolean ssn, boolean iban) {
    int cardFrom = -1;
    int chainStart = -1;
    int chainEnd = -2;
    int chainDigits = 0;
    int i = off;
    while (true) {
      while (i < end && !isDigit(c[i])) {
        i++;
      }
      if (i == end) {
        return cardFrom;
      }
      // i starts a digit group (a claim is never followed by a digit)
      // an IBAN is found at its first check digit, after the two letters of its country code;
      // letters before those are allowed ("ibanDE89..."): in free text, masking a few more
      // look-alikes beats showing a glued IBAN
      if (iban
          && i - 2 >= off
          && i + 1 < end
          && isDigit(c[i + 1])
          && isLetter(c[i - 1])
          && isLetter(c[i - 2])) {
        int e = ibanEnd(c, i - 2, end);
        if (e > 0) {
          claims.add(i - 2, e, Detector.IBAN);
          i = e;
          continue;
        }
      }
      if (ssn && !numberBefore(c, off, i)) {
        int e = ssnEnd(c, i, end);
        if (e > 0) {
          claims.add(i, e, Detector.SSN);
          i = e;
          continue;
        }
      }
      if (i != chainEnd + 1 || (c[i - 1] != ' ' && c[i - 1] != '-')) {
        chainStart = i;
        chainDigits = 0;
      }
      int g = i;
      do {
        i++;
      } while (i < end && isDigit(c[i]));
      chainEnd = i;
      chainDigits += i - g;
      if (chainDigits >= MIN_CARD && cardFrom < 0) {
        cardFrom = chainStart;
      }
    }
  }

  /** End of the longest valid IBAN starting at {@code s}, or -1. */
  private static int ibanEnd(char[] c, int s, int end) {
    if (s + MIN_IBAN > end || !isLetter(c[s + 1]) || !isDigit(c[s + 2]) || !isDigit(c[s + 3])) {
      return -1;
    }
    int head = (letterValue(c[s]) * 100 + letterValue(c[s + 1])) * 100
        + (c[s + 2] - '0') * 10 + (c[s + 3] - '0');
    int rem = 0;
    int count = 4;
    int i = s + 4;
    if (c[i] != ' ') {
      while (i < end && isAlnum(c[i])) {
        if (++count > MAX_IBAN) {
          return -1;
        }
        rem = addIbanChar(rem, c[i++]);
      }
      boolean glued = i < end && Character.isLetterOrDigit(c[i]);
      return !glued && count >= MIN_IBAN && (rem * SHIFT_HEAD + head) % 97 == 1 ? i : -1;
    }
    int best = -1;
    while (i < end && c[i] == ' ') {
      int g = i + 1;
      int j = g;
      while (j < end && j - g < 4 && isAlnum(c[j]) && count < MAX_IBAN) {
        rem = addIbanChar(rem, c[j++]);
        count++;
      }
      if (j == g || (j < end && Character.isLetterOrDigit(c[j]))) {
        // no group, or a group longer than four (or beyond 34 characters): not this format
        break;
      }
      if (count >= MIN_IBAN && (rem * SHIFT_HEAD + head) % 97 == 1) {
        best = j;
      }
      if (j - g < 4) {
        break;
      }
      i = j;
    }
    return best;
  }

  /** End of {@code ddd-dd-dddd} at {@code s} if no digit, or dash and digit, follows; else -1. */
  private static int ssnEnd(char[] c, int s, int end) {
    int e = s + 11;
    if (e > end) {
      return -1;
    }
    for (int k = 0; k < 11; k++) {
      char ch = c[s + k];
      if (k == 3 || k == 6 ? ch != '-' : !isDigit(ch)) {
        return -1;
      }
    }
    if (e < end && (isDigit(c[e]) || (c[e] == '-' && e + 1 < end && isDigit(c[e + 1])))) {
      return -1;
    }
    return e;
  }

  /** Whether the digit at {@code i} continues a number: a digit, or a digit and a dash, before. */
  private static boolean numberBefore(char[] c, int off, int i) {
    return i > off && (isDigit(c[i - 1]) || (c[i - 1] == '-' && i - 1 > off && isDigit(c[i - 2])));
  }

  /** Finds card windows from {@code from}, a digit-group start, on. */
  private void cards(char[] c, int from, int end) {
    int a = 0;
    int i = from;
    while (true) {
      while (i < end && !isDigit(c[i])) {
        i++;
      }
      if (i == end) {
        return;
      }
      // i starts a digit group: the previous character is not a digit
      while (a < claims.n && claims.end[a] <= i) {
        a++;
      }
      int limit = a < claims.n ? claims.start[a] : end;
      if (i >= limit) {
        i = claims.end[a];
        continue;
      }
      int e = cardEnd(c, i, end, limit);
      if (e > 0) {
        int last = cards.n - 1;
        if (last >= 0 && i < cards.end[last]) {
          cards.end[last] = Math.max(cards.end[last], e);
        } else {
          cards.add(i, e, Detector.CARD);
        }
      }
      do {
        i++;
      } while (i < end && isDigit(c[i]));
    }
  }

  /**
   * End of the longest Luhn-valid window of 13-19 digits made of whole groups from {@code s},
   * ending at or before {@code limit}, or -1.
   */
  private static int cardEnd(char[] c, int s, int end, int limit) {
    int digits = 0;
    // Luhn doubles every second digit from the right; which ones depends on the window's length,
    // so keep both sums while reading left to right
    int evenDoubled = 0;
    int oddDoubled = 0;
    int best = -1;
    int j = s;
    while (true) {
      while (j < end && isDigit(c[j])) {
        int d = c[j++] - '0';
        if ((digits & 1) == 0) {
          evenDoubled += DOUBLED[d];
          oddDoubled += d;
        } else {
          evenDoubled += d;
          oddDoubled += DOUBLED[d];
        }
        if (++digits > MAX_CARD) {
          return best;
        }
      }
      if (j > limit) {
        return best;
      }
      if (digits >= MIN_CARD && ((digits & 1) == 0 ? evenDoubled : oddDoubled) % 10 == 0) {
        best = j;
      }
      if (j + 1 < end && (c[j] == ' ' || c[j] == '-') && isDigit(c[j + 1])) {
        j++;
      } else {
        return best;
      }
    }
  }

  private static int addIbanChar(int rem, char ch) {
    return isDigit(ch) ? (rem * 10 + (ch - '0')) % 97 : (rem * 100 + letterValue(ch)) % 97;
  }

  private static int letterValue(char ch) {
    return (ch >= 'a' ? ch - 'a' : ch - 'A') + 10;
  }

  private static boolean isDigit(char ch) {
    return ch >= '0' && ch <= '9';
  }

  private static boolean isLetter(char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
  }

  private static boolean isAlnum(char ch) {
    return isDigit(ch) || isLetter(ch);
  }

  /** Growable parallel arrays of spans. */
  private static final class Spans {
    int[] start = new int[4];
    int[] end = new int[4];
    Detector[] kind = new Detector[4];
    int n;

    void add(int s, int e, Detector d) {
      if (n == start.length) {
        start = java.util.Arrays.copyOf(start, n * 2);
        end = java.util.Arrays.copyOf(end, n * 2);
        kind = java.util.Arrays.copyOf(kind, n * 2);
      }
      start[n] = s;
      end[n] = e;
      kind[n++] = d;
    }
  }
}
