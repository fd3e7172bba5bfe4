package io.airlock.policy.mask;

/**
 * Finds card numbers, SSNs and IBANs written inside longer text (support staff's notes), so the
 * masker can mask just those spans. {@link Detection} answers only for a whole value.
 *
 * <p>Two forward scans, no regular expressions. Every match holds digits, so the scans skip
 * non-digits with one comparison each (two for non-ASCII text) and do their work at digit-run
 * starts (a digit with no digit before it): an IBAN is tried where two letters precede the run, an
 * SSN where no number does, a card window from every run start, and at the end of a run longer
 * than a card. Each try looks at most a fixed number of digits ahead (an IBAN 34 characters plus
 * its spaces, a card 19 digits plus at most two separators between runs), so the work is linear in
 * the text whatever it contains; invisible format characters (Unicode Cf: zero-width space and
 * joiners, word joiner, BOM, bidi marks) are skipped as if absent, so a run of them is read at most
 * a fixed number of times too. The second (card) scan runs only from the first chain of 13 digits,
 * so ordinary text with dates, amounts and phone numbers is read once. Nothing is allocated after
 * the first strings; the span arrays grow only when a string holds more spans than any before.
 *
 * <p>Digits are any Unicode decimal digits ({@link Character#isDigit}: full-width, Arabic-Indic...)
 * for cards and SSNs; IBANs are ASCII only.
 *
 * <ul>
 *   <li>IBAN: two ASCII letters, two check digits, then ASCII letters/digits either run together or
 *       in groups of four after single spaces (the last group may be shorter); 15-34 characters
 *       without the spaces, ISO 13616 mod-97 equal to 1; no letter or digit right after it (the
 *       text before it does not matter). The longest valid reading wins.
 *   <li>SSN: {@code ddd-dd-dddd} (an ASCII or typographic dash), not continued by a digit, or by a
 *       dash and a digit, on either side (so it is not the middle of a longer dashed number). No
 *       area-number rules, the same as the whole-value detector.
 *   <li>Card: whole digit runs joined by one or two separators (spaces of any kind, tab, line
 *       break, dot, slash, dash; not a comma or colon), 13-19 digits in all, Luhn-valid. Every such
 *       window is found, not just the first, and overlapping windows are merged into one span, so
 *       unrelated numbers written right before a card (a date, say) cannot leave part of it in
 *       clear. A run is split only when it is longer than 19 digits (a card glued to other
 *       digits): then its 13-19 digit prefixes and suffixes are tried, 14 windows per run.
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
  // one bit per char: Character.isDigit
  private static final long[] DIGITS = new long[1 << 10];

  static {
    for (int ch = 0; ch <= Character.MAX_VALUE; ch++) {
      if (Character.isDigit((char) ch)) {
        DIGITS[ch >>> 6] |= 1L << ch;
      }
    }
  }

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
   * (digit runs joined by separators, see {@link #joined}), or -1: a card can only lie in such a
   * chain.
   */
  private int claim(char[] c, int off, int end, boolean ssn, boolean iban) {
    int cardFrom = -1;
    int chainStart = -1;
    int chainDigits = 0;
    boolean joinedToLast = false;
    int i = off;
    while (true) {
      while (i < end && !isDigit(c[i])) {
        i++;
      }
      if (i == end) {
        return cardFrom;
      }
      // i starts a digit run (a claim is never followed by a digit)
      // an IBAN is found at its first check digit, after the two letters of its country code;
      // letters before those are allowed ("ibanDE89..."): in free text, masking a few more
      // look-alikes beats showing a glued IBAN
      if (iban
          && i - 2 >= off
          && i + 1 < end
          && isAsciiDigit(c[i])
          && isAsciiDigit(c[i + 1])
          && isLetter(c[i - 1])
          && isLetter(c[i - 2])) {
        int e = ibanEnd(c, i - 2, end);
        if (e > 0) {
          claims.add(i - 2, e, Detector.IBAN);
          i = e;
          joinedToLast = false;
          continue;
        }
      }
      if (ssn && !numberBefore(c, off, i)) {
        int e = ssnEnd(c, i, end);
        if (e > 0) {
          claims.add(i, e, Detector.SSN);
          i = e;
          joinedToLast = false;
          continue;
        }
      }
      if (!joinedToLast) {
        chainStart = i;
        chainDigits = 0;
      }
      int digits = 0;
      int runEnd = i;
      while (i < end) {
        char ch = c[i];
        if (isDigit(ch)) {
          digits++;
          runEnd = ++i;
        } else if (isFormat(ch)) {
          i++;
        } else {
          break;
        }
      }
      i = runEnd;
      chainDigits += digits;
      if (chainDigits >= MIN_CARD && cardFrom < 0) {
        cardFrom = chainStart;
      }
      joinedToLast = joined(c, i, end) > 0;
    }
  }

  /** End of the longest valid IBAN starting at {@code s}, or -1. */
  private static int ibanEnd(char[] c, int s, int end) {
    if (s + MIN_IBAN > end
        || !isLetter(c[s + 1])
        || !isAsciiDigit(c[s + 2])
        || !isAsciiDigit(c[s + 3])) {
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

  /**
   * End of {@code ddd-dd-dddd} at {@code s} (any decimal digits, invisible format characters
   * skipped) if no digit, or dash and digit, follows; else -1.
   */
  private static int ssnEnd(char[] c, int s, int end) {
    int j = s;
    for (int k = 0; k < 11; k++) {
      if (k > 0) {
        j = skipFormat(c, j, end);
      }
      if (j == end) {
        return -1;
      }
      char ch = c[j++];
      if (k == 3 || k == 6 ? !isDash(ch) : !isDigit(ch)) {
        return -1;
      }
    }
    int n = skipFormat(c, j, end);
    if (n < end
        && (isDigit(c[n]) || (isDash(c[n]) && digitAt(c, skipFormat(c, n + 1, end), end)))) {
      return -1;
    }
    return j;
  }

  /** Whether the digit at {@code i} continues a number: a digit, or a digit and a dash, before. */
  private static boolean numberBefore(char[] c, int off, int i) {
    int p = skipFormatBack(c, off, i - 1);
    if (p < off) {
      return false;
    }
    if (isDigit(c[p])) {
      return true;
    }
    if (!isDash(c[p])) {
      return false;
    }
    p = skipFormatBack(c, off, p - 1);
    return p >= off && isDigit(c[p]);
  }

  /** Finds card windows from {@code from}, a digit-run start, on. */
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
      // i starts a digit run: the previous character that is not invisible is not a digit
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
        addCard(i, e);
      }
      // skip the run (invisible characters inside it included), counting its digits
      int digits = 0;
      int runEnd;
      while (true) {
        int g = i;
        while (i < end && isDigit(c[i])) {
          i++;
        }
        digits += i - g;
        runEnd = i;
        while (i < end && isFormat(c[i])) {
          i++;
        }
        if (i == end || !isDigit(c[i])) {
          break;
        }
      }
      i = runEnd;
      if (digits > MAX_CARD) {
        suffix(c, runEnd);
      }
    }
  }

  /**
   * A run too long to be a card may have one glued to its end ("00004111111111111111"): masks its
   * longest Luhn-valid 13-19 digit suffix, read from the right as Luhn reads it.
   */
  private void suffix(char[] c, int runEnd) {
    int sum = 0;
    int s = -1;
    int p = runEnd - 1;
    for (int k = 0; k < MAX_CARD; k++, p--) {
      while (!isDigit(c[p])) {
        // only invisible characters lie between the run's digits
        p--;
      }
      int d = digitValue(c[p]);
      sum += (k & 1) == 0 ? d : DOUBLED[d];
      if (k + 1 >= MIN_CARD && sum % 10 == 0) {
        s = p;
      }
    }
    if (s >= 0) {
      addCard(s, runEnd);
    }
  }

  private void addCard(int s, int e) {
    int last = cards.n - 1;
    if (last >= 0 && s < cards.end[last]) {
      cards.end[last] = Math.max(cards.end[last], e);
    } else {
      cards.add(s, e, Detector.CARD);
    }
  }

  /**
   * End of the longest Luhn-valid window of 13-19 digits from {@code s} made of whole runs, or,
   * when the run at {@code s} is longer than 19 digits, of its longest Luhn-valid 13-19 digit
   * prefix; ending at or before {@code limit}, or -1.
   */
  private static int cardEnd(char[] c, int s, int end, int limit) {
    int digits = 0;
    // Luhn doubles every second digit from the right; which ones depends on the window's length,
    // so keep both sums while reading left to right
    int evenDoubled = 0;
    int oddDoubled = 0;
    int best = -1;
    int prefixBest = -1;
    boolean firstRun = true;
    int j = s;
    while (true) {
      int runEnd = j;
      while (j < end) {
        char ch = c[j];
        if (isDigit(ch)) {
          int d = digitValue(ch);
          runEnd = ++j;
          if ((digits & 1) == 0) {
            evenDoubled += DOUBLED[d];
            oddDoubled += d;
          } else {
            evenDoubled += d;
            oddDoubled += DOUBLED[d];
          }
          if (++digits > MAX_CARD) {
            return firstRun && prefixBest <= limit ? prefixBest : best;
          }
          if (firstRun && digits >= MIN_CARD && luhnValid(digits, evenDoubled, oddDoubled)) {
            prefixBest = j;
          }
        } else if (isFormat(ch)) {
          j++;
        } else {
          break;
        }
      }
      if (runEnd > limit) {
        return best;
      }
      if (digits >= MIN_CARD && luhnValid(digits, evenDoubled, oddDoubled)) {
        best = runEnd;
      }
      firstRun = false;
      j = joined(c, runEnd, end);
      if (j < 0) {
        return best;
      }
    }
  }

  private static boolean luhnValid(int digits, int evenDoubled, int oddDoubled) {
    return ((digits & 1) == 0 ? evenDoubled : oddDoubled) % 10 == 0;
  }

  /**
   * Where the next digit run starts if the one ending at {@code j} is joined to it by one or two
   * separators (spaces of any kind, tab, line break, dot, slash, dash), invisible format
   * characters not counted; else -1. A comma, a colon or a word ends the number.
   */
  private static int joined(char[] c, int j, int end) {
    int seps = 0;
    while (j < end) {
      char ch = c[j];
      if (isDigit(ch)) {
        return seps > 0 ? j : -1;
      }
      if (isSeparator(ch)) {
        if (++seps > 2) {
          return -1;
        }
      } else if (!isFormat(ch)) {
        return -1;
      }
      j++;
    }
    return -1;
  }

  private static int addIbanChar(int rem, char ch) {
    return isAsciiDigit(ch) ? (rem * 10 + (ch - '0')) % 97 : (rem * 100 + letterValue(ch)) % 97;
  }

  private static int letterValue(char ch) {
    return (ch >= 'a' ? ch - 'a' : ch - 'A') + 10;
  }

  /** Any decimal digit: ASCII, full-width, Arabic-Indic, Devanagari... */
  private static boolean isDigit(char ch) {
    // the table keeps non-ASCII text (CJK notes) at one load per character, not a Unicode lookup
    return ch < 0x80 ? ch >= '0' && ch <= '9' : (DIGITS[ch >>> 6] & (1L << ch)) != 0;
  }

  private static int digitValue(char ch) {
    return ch < 0x80 ? ch - '0' : Character.digit(ch, 10);
  }

  private static boolean isAsciiDigit(char ch) {
    return ch >= '0' && ch <= '9';
  }

  /** Invisible format characters (zero-width space and joiners, BOM, bidi marks): absent. */
  private static boolean isFormat(char ch) {
    return ch >= 0x80 && Character.getType(ch) == Character.FORMAT;
  }

  /** ASCII dash and the dashes word processors put between digits. */
  private static boolean isDash(char ch) {
    return ch == '-' || (ch >= 0x2010 && ch <= 0x2013) || ch == 0x2212 || ch == 0xFE63
        || ch == 0xFF0D;
  }

  /** Spaces of any kind (no-break, narrow, figure, thin...), tab, line breaks, dot, slash, dash. */
  private static boolean isSeparator(char ch) {
    if (ch < 0x80) {
      return ch == ' ' || ch == '-' || ch == '.' || ch == '/' || ch == '\t' || ch == '\n'
          || ch == '\r';
    }
    return Character.isSpaceChar(ch) || isDash(ch);
  }

  private static int skipFormat(char[] c, int j, int end) {
    while (j < end && isFormat(c[j])) {
      j++;
    }
    return j;
  }

  private static int skipFormatBack(char[] c, int off, int p) {
    while (p >= off && isFormat(c[p])) {
      p--;
    }
    return p;
  }

  private static boolean digitAt(char[] c, int j, int end) {
    return j < end && isDigit(c[j]);
  }

  private static boolean isLetter(char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
  }

  private static boolean isAlnum(char ch) {
    return isAsciiDigit(ch) || isLetter(ch);
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
