/* The JSON event pipeline in C, as its experts would ship it (EXPERT.md): the `c` rung's expert tier.
 *
 * A reader for this schema over borrowed byte spans: the fields the pipeline needs are compared in place, the
 * type and timestamp first, so a dropped event's numbers are validated but never decoded; everything else is
 * validated and skipped. String scans go 32 (AVX2) or 16 (SSE2) bytes at a time. The bytes are cut into one
 * line-aligned slice per OpenMP thread; each slice aggregates its users on its own, and the slices are merged in
 * file order, the float sums replayed term by term so they equal the sequential sums bit for bit. Users are
 * summarised (ties, rounding) here, so Python only builds the dicts.
 *
 * The general path is json_pipeline.c (the study tier's reader, linked into the same library): any input this
 * reader does not take as it is (a cut that is not an event boundary falls back to one slice first; an escape in
 * a key or in the user_id, type, page or ts string, a number it needs past 19 digits or 1e±22, nesting deeper
 * than 64, malformed JSON) is read again by jp_run, which decodes everything and reports a malformed input's error
 * with its byte offset. So the expert reader never reports an error of its own, and every input gets the study
 * reader's answer.
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__AVX2__) || defined(__SSE2__)
#include <immintrin.h>
#endif

enum { N_TYPES = 5, N_PAGES = 10, N_HOURS = 24, ID_MAX = 64, DEPTH_MAX = 64 };
enum { T_ADD_TO_CART = 3, T_PURCHASE = 4 };
enum { UNSEEN = -2, OTHER = -1 }; /* a type or page not read yet, or not one of the pipeline's */
#define MIN_SPLIT_BYTES (1 << 20) /* below this, one slice: a thread costs more than it brings */
#define MAX_SLICES 64

typedef const unsigned char *cursor;

/* ---- the study tier's reader (json_pipeline.c), the general path; keep in step with its jp_result ---- */
typedef struct {
    int64_t n_users;
    int64_t *ints; /* id_len events purchases items top_type top_page peak_hour active_days, per user */
    double *floats; /* revenue cart_value, unrounded, per user */
    char *ids, *stamps;
    char error[256];
} jp_result;
jp_result *jp_run(const char *data, size_t len);
void jp_free(jp_result *res);
/* and two of its helpers: the length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0; and the most
   frequent of n counted values, a tie going to the one first seen */
size_t jp_utf8_sequence(const unsigned char *p, const unsigned char *end);
int jp_most_frequent(const uint32_t *counts, const uint32_t *first, int n);

/* ---- what c_expert.py reads (keep its ctypes Structure in step) ---- */
enum { COL_EVENTS, COL_PURCHASES, COL_ITEMS, COL_TOP_TYPE, COL_TOP_PAGE, COL_PEAK_HOUR, COL_DAYS, COL_ID_LEN, N_COLS };
typedef struct {
    int64_t n_users;
    int64_t *cols;      /* N_COLS columns of n_users each */
    double *money;      /* revenue, then cart_value: n_users each, rounded to cents as Python's round(x, 2) */
    char *ids;          /* the user ids back to back, each followed by '\n' */
    int64_t ids_len;
    int64_t ids_split;  /* 1 when no id contains '\n', so splitting `ids` on '\n' gives the ids */
    char *stamps;       /* every first_ts, then every last_ts, each followed by '\n' */
    int64_t slices;     /* slices read by the fast reader, 0 when the general path read the input */
    char error[256];
} jpx_result;

/* ---- the per-slice aggregates ---- */
typedef struct {
    unsigned char id[ID_MAX];
    uint32_t id_len, events, purchases;
    int64_t items;
    /* counts, and the ordinal (1-based, among the user's kept events) of each value's first occurrence */
    uint32_t type_count[N_TYPES], type_first[N_TYPES];
    uint32_t page_count[N_PAGES], page_first[N_PAGES];
    uint32_t hour_count[N_HOURS], hour_first[N_HOURS];
    uint64_t days[6]; /* a bit per day of the year */
    unsigned char first_ts[20], last_ts[20];
    double revenue, cart_value; /* only in the merged table: replayed from the slices' terms */
} User;

typedef struct {
    uint32_t user; /* index into the slice's users */
    uint32_t is_cart;
    double value;
} Term;

typedef struct {
    User *users;
    uint32_t n_users, cap_users;
    uint32_t *slots; /* open addressing: user index + 1, 0 for empty */
    uint32_t n_slots;
    Term *terms; /* revenue and cart terms in file order */
    size_t n_terms, cap_terms;
} Table;

typedef struct {
    cursor from;    /* the slice's first event */
    cursor next;    /* the next slice's first event (NULL for the last slice) */
    Table table;
    int ok;
} Slice;

typedef struct {
    cursor s;
    uint32_t n;
} Span;

typedef struct {
    int type, page;
    Span user, ts;
    int has_user, has_ts, has_amount, has_price, has_items, has_qty;
    double amount, price;
    int64_t items, qty;
} Event;

static const int DAYS_BEFORE_MONTH[13] = {0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

/* ---- scanning ---- */

static inline cursor skip_ws(cursor p, cursor end) {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    return p;
}

static int is_digit(unsigned c) { return c - '0' < 10u; }
static int is_hex(unsigned c) { return is_digit(c) || (c | 0x20) - 'a' < 6u; }

/* The first byte at or after p that is a quote, a backslash, a control character or not ASCII (end if none).
   In signed bytes, "below 0x20" is both the control characters and every byte >= 0x80. */
static inline cursor next_special(cursor p, cursor end) {
#if defined(__AVX2__)
    const __m256i quote = _mm256_set1_epi8('"'), backslash = _mm256_set1_epi8('\\'), space = _mm256_set1_epi8(0x20);
    for (; end - p >= 32; p += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)p);
        __m256i hit = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, backslash)),
                                      _mm256_cmpgt_epi8(space, v));
        uint32_t mask = (uint32_t)_mm256_movemask_epi8(hit);
        if (mask) return p + __builtin_ctz(mask);
    }
#elif defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    for (; end - p >= 16; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmplt_epi8(v, space));
        uint32_t mask = (uint32_t)_mm_movemask_epi8(hit);
        if (mask) return p + __builtin_ctz(mask);
    }
#endif
    while (p < end && *p != '"' && *p != '\\' && *p >= 0x20 && *p < 0x80) p++;
    return p;
}

/* p just after an opening quote: the closing quote, or NULL when the string is not valid JSON. Escapes are
   checked and skipped; *escaped says whether there was one (a span with one is not its decoded text). */
static inline cursor string_end(cursor p, cursor end, int *escaped) {
    for (;;) {
        p = next_special(p, end);
        if (p >= end) return NULL;
        unsigned c = *p;
        if (c == '"') return p;
        if (c == '\\') {
            *escaped = 1;
            if (end - p < 2) return NULL;
            if (p[1] == 'u') {
                if (end - p < 6 || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]) || !is_hex(p[5])) return NULL;
                p += 6;
            } else if (p[1] != 0 && strchr("\"\\/bfnrt", p[1])) {
                p += 2;
            } else {
                return NULL;
            }
        } else if (c < 0x20) {
            return NULL;
        } else {
            size_t n = jp_utf8_sequence(p, end);
            if (n == 0) return NULL;
            p += n;
        }
    }
}

/* A string without escapes as a span of the input; NULL for anything else. */
static inline cursor read_span(cursor p, cursor end, Span *out) {
    int escaped = 0;
    if (p >= end || *p != '"') return NULL;
    cursor close = string_end(p + 1, end, &escaped);
    if (!close || escaped) return NULL;
    out->s = p + 1;
    out->n = (uint32_t)(close - p - 1);
    return close + 1;
}

/* Whether the span holds exactly `lit`, a string literal (its length known when compiling: a few loads). */
#define SPAN_IS(span, lit) ((span).n == sizeof(lit) - 1 && memcmp((span).s, lit, sizeof(lit) - 1) == 0)

typedef struct {
    double value;
    int64_t integer;
    int is_integer;
} Number;

/* A JSON number at p. With `out`, also its value, correctly rounded; NULL when its grammar is wrong or, with
   `out`, when it needs more than the exact fast conversion (the general path converts those). */
static cursor read_number(cursor p, cursor end, Number *out) {
    static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    int negative = p < end && *p == '-', digits = 0, scale = 0, exponent = 0, exponent_negative = 0, fraction = 0;
    uint64_t mantissa = 0;
    p += negative;
    if (p >= end || !is_digit(*p)) return NULL;
    if (*p == '0') {
        p++;
    } else {
        for (; p < end && is_digit(*p); p++, digits++) mantissa = mantissa * 10 + (*p - '0');
    }
    if (p < end && *p == '.') {
        fraction = 1;
        if (++p >= end || !is_digit(*p)) return NULL;
        for (; p < end && is_digit(*p); p++, digits++, scale--) mantissa = mantissa * 10 + (*p - '0');
    }
    if (p < end && (*p | 0x20) == 'e') {
        fraction = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-')) exponent_negative = *p++ == '-';
        if (p >= end || !is_digit(*p)) return NULL;
        for (; p < end && is_digit(*p); p++)
            if (exponent < 1000) exponent = exponent * 10 + (*p - '0');
    }
    if (!out) return p;
    int e10 = scale + (exponent_negative ? -exponent : exponent);
    if (digits > 19 || mantissa > (1ULL << 53) || e10 < -22 || e10 > 22) return NULL;
    /* both operands exact, so one correctly rounded operation gives the correctly rounded value */
    double m = (double)mantissa;
    out->value = e10 < 0 ? m / POW10[-e10] : m * POW10[e10];
    if (negative) out->value = -out->value;
    out->is_integer = !fraction;
    out->integer = negative ? -(int64_t)mantissa : (int64_t)mantissa;
    return p;
}

static cursor skip_value(cursor p, cursor end, int depth);

/* An object or array at p, validated and skipped. */
static cursor skip_container(cursor p, cursor end, int depth) {
    unsigned char close = *p == '{' ? '}' : ']';
    if (depth >= DEPTH_MAX) return NULL;
    p = skip_ws(p + 1, end);
    if (p < end && *p == close) return p + 1;
    for (;;) {
        if (close == '}') {
            int escaped = 0;
            if (p >= end || *p != '"' || !(p = string_end(p + 1, end, &escaped))) return NULL;
            p = skip_ws(p + 1, end);
            if (p >= end || *p != ':') return NULL;
            p = skip_ws(p + 1, end);
        }
        if (!(p = skip_value(p, end, depth + 1))) return NULL;
        p = skip_ws(p, end);
        if (p >= end) return NULL;
        if (*p == close) return p + 1;
        if (*p != ',') return NULL;
        p = skip_ws(p + 1, end);
    }
}

static cursor skip_literal(cursor p, cursor end, const char *word, size_t n) {
    return (size_t)(end - p) >= n && memcmp(p, word, n) == 0 ? p + n : NULL;
}

/* Any JSON value at p, validated and skipped. */
static cursor skip_value(cursor p, cursor end, int depth) {
    if (p >= end) return NULL;
    switch (*p) {
    case '"': {
        int escaped = 0;
        cursor close = string_end(p + 1, end, &escaped);
        return close ? close + 1 : NULL;
    }
    case '{':
    case '[': return skip_container(p, end, depth);
    case 't': return skip_literal(p, end, "true", 4);
    case 'f': return skip_literal(p, end, "false", 5);
    case 'n': return skip_literal(p, end, "null", 4);
    default: return read_number(p, end, NULL);
    }
}

/* ---- one event ---- */

/* The pipeline's types have distinct lengths, so the length picks the one name to compare. */
static int type_index(Span s) {
    switch (s.n) {
    case 9: return SPAN_IS(s, "page_view") ? 0 : OTHER;
    case 5: return SPAN_IS(s, "click") ? 1 : OTHER;
    case 6: return SPAN_IS(s, "search") ? 2 : OTHER;
    case 11: return SPAN_IS(s, "add_to_cart") ? 3 : OTHER;
    case 8: return SPAN_IS(s, "purchase") ? 4 : OTHER;
    default: return OTHER;
    }
}

static int page_index(Span s) {
    switch (s.n) {
    case 1: return SPAN_IS(s, "/") ? 0 : OTHER;
    case 5: return SPAN_IS(s, "/home") ? 1 : SPAN_IS(s, "/cart") ? 4 : SPAN_IS(s, "/help") ? 7 : SPAN_IS(s, "/blog") ? 8
                 : OTHER;
    case 7: return SPAN_IS(s, "/search") ? 2 : OTHER;
    case 8: return SPAN_IS(s, "/product") ? 3 : SPAN_IS(s, "/account") ? 6 : SPAN_IS(s, "/pricing") ? 9 : OTHER;
    case 9: return SPAN_IS(s, "/checkout") ? 5 : OTHER;
    default: return OTHER;
    }
}

static int digit2(cursor s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

/* `YYYY-MM-DDTHH:MM:SSZ`, a real date and time. */
static int timestamp_valid(Span ts) {
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    static const int month_days[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned bad = ts.n != 20;
    if (bad) return 0;
    for (int i = 0; i < 20; i++) /* no branch per byte: the compiler unrolls this into straight-line code */
        bad |= shape[i] == 'd' ? !is_digit(ts.s[i]) : ts.s[i] != shape[i];
    if (bad) return 0;
    int year = digit2(ts.s) * 100 + digit2(ts.s + 2), month = digit2(ts.s + 5), day = digit2(ts.s + 8);
    if (year < 1 || month < 1 || month > 12 || day < 1) return 0;
    int leap = month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0);
    return day <= month_days[month] + leap && digit2(ts.s + 11) < 24 && digit2(ts.s + 14) < 60 &&
           digit2(ts.s + 17) < 60;
}

/* March to September 2025, by comparing the fixed-width strings (SPEC.md allows it). */
static int timestamp_kept(Span ts) {
    return memcmp(ts.s, "2025-03-01T00:00:00Z", 20) >= 0 && memcmp(ts.s, "2025-10-01T00:00:00Z", 20) < 0;
}

/* Whether the event may still be kept, from what has been read of it so far (before "meta", in every event the
   generator writes): when not, its numbers are only validated. */
static int may_keep(const Event *ev) {
    if (ev->type == OTHER) return 0;
    return !ev->has_ts || (ev->ts.n == 20 && timestamp_kept(ev->ts));
}

/* The keys the pipeline reads (K_OTHER: any other key, its value skipped). */
enum { K_OTHER, K_TYPE, K_TS, K_USER, K_PAGE, K_META, K_AMOUNT, K_PRICE, K_ITEMS, K_QTY };

/* `"name":` at p: the quote after the name closes the key, so the key is exactly `name`. */
#define KEY_AT(p, end, lit) ((size_t)((end) - (p)) >= sizeof(lit) + 2 && memcmp((p) + 1, lit "\":", sizeof(lit) + 1) == 0)

/* The key at p, its ':' and the whitespace after it: *which says which key it is. The known keys, written as
   the generator writes them, are matched in place; any other key is read as a string and compared. */
static inline cursor read_key(cursor p, cursor end, int *which) {
#define TRY(lit, id)                                                                                                 \
    if (KEY_AT(p, end, lit)) {                                                                                     \
        *which = id;                                                                                               \
        return skip_ws(p + sizeof(lit) + 2, end);                                                                  \
    }
    if (p >= end || *p != '"') return NULL;
    switch (end - p > 1 ? p[1] : 0) {
    case 'i': TRY("id", K_OTHER); TRY("items", K_ITEMS); break;
    case 'u': TRY("user_id", K_USER); break;
    case 't': TRY("type", K_TYPE); TRY("ts", K_TS); break;
    case 'p': TRY("page", K_PAGE); TRY("price", K_PRICE); break;
    case 'm': TRY("meta", K_META); break;
    case 'a': TRY("amount", K_AMOUNT); break;
    case 'q': TRY("qty", K_QTY); break;
    }
#undef TRY
    Span key;
    if (!(p = read_span(p, end, &key))) return NULL;
    p = skip_ws(p, end);
    if (p >= end || *p != ':') return NULL;
    *which = SPAN_IS(key, "type") ? K_TYPE : SPAN_IS(key, "ts") ? K_TS : SPAN_IS(key, "user_id") ? K_USER
           : SPAN_IS(key, "page") ? K_PAGE : SPAN_IS(key, "meta") ? K_META : SPAN_IS(key, "amount") ? K_AMOUNT
           : SPAN_IS(key, "price") ? K_PRICE : SPAN_IS(key, "items") ? K_ITEMS : SPAN_IS(key, "qty") ? K_QTY
           : K_OTHER;
    return skip_ws(p + 1, end);
}

/* After a member's value: the ',' and the next key's start, or the closing '}' (then *closed is set). */
static inline cursor next_member(cursor p, cursor end, int *closed) {
    p = skip_ws(p, end);
    if (p >= end) return NULL;
    if (*p == '}') {
        *closed = 1;
        return p + 1;
    }
    return *p == ',' ? skip_ws(p + 1, end) : NULL;
}

/* The number at p of one of the keys of "meta" the pipeline reads, decoded into *ev. */
static inline cursor meta_number(cursor p, cursor end, int which, Event *ev) {
    Number num;
    if (!(p = read_number(p, end, &num))) return NULL;
    switch (which) {
    case K_AMOUNT: ev->has_amount = 1; ev->amount = num.value; break;
    case K_PRICE: ev->has_price = 1; ev->price = num.value; break;
    case K_ITEMS: ev->has_items = num.is_integer; ev->items = num.integer; break;
    default: ev->has_qty = num.is_integer; ev->qty = num.integer; break;
    }
    return p;
}

static cursor read_meta(cursor p, cursor end, Event *ev) {
    int decode = may_keep(ev), closed = 0, which;
    ev->has_amount = ev->has_price = ev->has_items = ev->has_qty = 0; /* a repeated "meta" replaces the first */
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') return p + 1;
    while (!closed) {
        if (!(p = read_key(p, end, &which))) return NULL;
        if (which >= K_AMOUNT && decode && p < end && (*p == '-' || is_digit(*p))) {
            if (!(p = meta_number(p, end, which, ev))) return NULL;
        } else if (!(p = skip_value(p, end, 3))) {
            return NULL;
        }
        if (!(p = next_member(p, end, &closed))) return NULL;
    }
    return p;
}

/* The event object at p (a '{'): its fields into *ev. */
static cursor read_event(cursor p, cursor end, Event *ev) {
    int closed = 0, which;
    Span value;
    ev->type = ev->page = UNSEEN;
    ev->has_user = ev->has_ts = ev->has_amount = ev->has_price = ev->has_items = ev->has_qty = 0;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') return p + 1;
    while (!closed) {
        if (!(p = read_key(p, end, &which))) return NULL;
        switch (which) {
        case K_TYPE:
            if (!(p = read_span(p, end, &value))) return NULL;
            ev->type = type_index(value);
            break;
        case K_TS:
            if (!(p = read_span(p, end, &ev->ts))) return NULL;
            ev->has_ts = 1;
            break;
        case K_USER:
            if (!(p = read_span(p, end, &ev->user))) return NULL;
            ev->has_user = 1;
            break;
        case K_PAGE:
            if (!(p = read_span(p, end, &value))) return NULL;
            ev->page = page_index(value);
            break;
        default:
            if (which == K_META && p < end && *p == '{') p = read_meta(p, end, ev);
            else p = skip_value(p, end, 2);
            if (!p) return NULL;
        }
        if (!(p = next_member(p, end, &closed))) return NULL;
    }
    return p;
}

/* The input at p continues with `lit` (a string literal): p after it, else NULL. */
#define EXACTLY(p, end, lit)                                                                                        \
    ((size_t)((end) - (p)) >= sizeof(lit) - 1 && memcmp(p, lit, sizeof(lit) - 1) == 0 ? (p) + sizeof(lit) - 1 : NULL)

/* The rest of a string without escapes whose opening quote is behind p: its span, p after the closing quote. */
static inline cursor plain_rest(cursor p, cursor end, Span *out) {
    int escaped = 0;
    cursor close = string_end(p, end, &escaped);
    if (!close || escaped) return NULL;
    out->s = p;
    out->n = (uint32_t)(close - p);
    return close + 1;
}

static int meta_key(Span key) {
    return SPAN_IS(key, "amount") ? K_AMOUNT : SPAN_IS(key, "price") ? K_PRICE : SPAN_IS(key, "items") ? K_ITEMS
         : SPAN_IS(key, "qty") ? K_QTY : K_OTHER;
}

/* The event at p if it is laid out exactly as the generator writes events (its keys in its order, one space
   after each ':' and ',', a flat "meta"); every value is still validated, and numbers of "meta" decoded only
   when the event may be kept. NULL on any difference, and read_event reads the event again in any layout: this
   path only saves the key scans and matches. */
static cursor read_event_as_written(cursor p, cursor end, Event *ev) {
    Span type, page;
    if (!(p = EXACTLY(p, end, "{\"id\": ")) || !(p = read_number(p, end, NULL)) ||
        !(p = EXACTLY(p, end, ", \"user_id\": \"")) || !(p = plain_rest(p, end, &ev->user)) ||
        !(p = EXACTLY(p, end, ", \"type\": \"")) || !(p = plain_rest(p, end, &type)) ||
        !(p = EXACTLY(p, end, ", \"page\": \"")) || !(p = plain_rest(p, end, &page)) ||
        !(p = EXACTLY(p, end, ", \"ts\": \"")) || !(p = plain_rest(p, end, &ev->ts)) ||
        !(p = EXACTLY(p, end, ", \"meta\": {\"")))
        return NULL;
    ev->type = type_index(type);
    ev->page = page_index(page);
    ev->has_user = ev->has_ts = 1;
    ev->has_amount = ev->has_price = ev->has_items = ev->has_qty = 0;
    int decode = may_keep(ev);
    for (;;) {
        Span key;
        if (!(p = plain_rest(p, end, &key)) || !(p = EXACTLY(p, end, ": ")) || p >= end) return NULL;
        int which = decode ? meta_key(key) : K_OTHER;
        if (which != K_OTHER && (*p == '-' || is_digit(*p))) {
            if (!(p = meta_number(p, end, which, ev))) return NULL;
        } else if (*p == '{' || *p == '[' || !(p = skip_value(p, end, 3))) {
            return NULL;
        }
        if (p < end && *p == '}') return EXACTLY(p + 1, end, "}");
        if (!(p = EXACTLY(p, end, ", \""))) return NULL;
    }
}

/* ---- aggregating ---- */

/* Eight bytes at a time, each word mixed by a multiply. */
static uint64_t hash_id(cursor s, uint32_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n, word;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&word, s, 8);
        h = (h ^ word) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    for (word = 0; n > 0; n--) word = word << 8 | s[n - 1];
    h = (h ^ word) * 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 29);
}

static int table_grow(Table *t) {
    uint32_t n = t->n_slots ? t->n_slots * 2 : 4096;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots) return 0;
    for (uint32_t u = 0; u < t->n_users; u++) {
        uint64_t h = hash_id(t->users[u].id, t->users[u].id_len) & (n - 1);
        while (slots[h]) h = (h + 1) & (n - 1);
        slots[h] = u + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n;
    return 1;
}

/* Whether the n bytes at a and b are equal: eight at a time, for the short ids of this schema. */
static inline int same_id(const unsigned char *a, cursor b, uint32_t n) {
    uint64_t x, y;
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return 0;
    }
    for (; n > 0; n--)
        if (a[n - 1] != b[n - 1]) return 0;
    return 1;
}

/* The user with this id, added (zeroed) if new; NULL when memory runs out or the id is too long. */
static User *table_user(Table *t, cursor id, uint32_t n, uint32_t *index) {
    if (n > ID_MAX) return NULL;
    if ((uint64_t)(t->n_users + 1) * 2 > t->n_slots && !table_grow(t)) return NULL;
    uint64_t h = hash_id(id, n) & (t->n_slots - 1);
    for (uint32_t slot; (slot = t->slots[h]) != 0; h = (h + 1) & (t->n_slots - 1)) {
        User *u = &t->users[slot - 1];
        if (u->id_len == n && same_id(u->id, id, n)) {
            *index = slot - 1;
            return u;
        }
    }
    if (t->n_users == t->cap_users) {
        uint32_t cap = t->cap_users ? t->cap_users * 2 : 1024;
        User *users = realloc(t->users, cap * sizeof *users);
        if (!users) return NULL;
        t->users = users;
        t->cap_users = cap;
    }
    *index = t->n_users;
    User *u = memset(&t->users[t->n_users], 0, sizeof(User));
    memcpy(u->id, id, n);
    u->id_len = n;
    t->slots[h] = ++t->n_users;
    return u;
}

static int table_term(Table *t, uint32_t user, int is_cart, double value) {
    if (t->n_terms == t->cap_terms) {
        size_t cap = t->cap_terms ? t->cap_terms * 2 : 4096;
        Term *terms = realloc(t->terms, cap * sizeof *terms);
        if (!terms) return 0;
        t->terms = terms;
        t->cap_terms = cap;
    }
    t->terms[t->n_terms++] = (Term){user, (uint32_t)is_cart, value};
    return 1;
}

static void table_free(Table *t) {
    free(t->users);
    free(t->slots);
    free(t->terms);
    memset(t, 0, sizeof *t);
}

static void tally(uint32_t *count, uint32_t *first, int k, uint32_t ordinal) {
    if (count[k]++ == 0) first[k] = ordinal;
}

/* Aggregate one event; 0 when it is not one the pipeline can take (the general path says why). */
static int aggregate(Table *t, const Event *ev) {
    if (ev->type == UNSEEN) return 0;
    if (ev->type == OTHER) return 1;
    if (!ev->has_ts || !timestamp_valid(ev->ts)) return 0;
    if (!timestamp_kept(ev->ts)) return 1;
    if (!ev->has_user || ev->page < 0) return 0;
    if (ev->type == T_PURCHASE && !(ev->has_amount && ev->has_items)) return 0;
    if (ev->type == T_ADD_TO_CART && !(ev->has_price && ev->has_qty)) return 0;
    uint32_t index;
    User *u = table_user(t, ev->user.s, ev->user.n, &index);
    if (!u) return 0;
    cursor ts = ev->ts.s;
    uint32_t ordinal = ++u->events;
    tally(u->type_count, u->type_first, ev->type, ordinal);
    tally(u->page_count, u->page_first, ev->page, ordinal);
    tally(u->hour_count, u->hour_first, digit2(ts + 11), ordinal);
    int day = DAYS_BEFORE_MONTH[digit2(ts + 5)] + digit2(ts + 8) - 1;
    u->days[day >> 6] |= 1ULL << (day & 63);
    if (ordinal == 1 || memcmp(ts, u->first_ts, 20) < 0) memcpy(u->first_ts, ts, 20);
    if (ordinal == 1 || memcmp(ts, u->last_ts, 20) > 0) memcpy(u->last_ts, ts, 20);
    if (ev->type == T_PURCHASE) {
        u->purchases++;
        u->items += ev->items;
        return table_term(t, index, 0, ev->amount);
    }
    if (ev->type == T_ADD_TO_CART) return table_term(t, index, 1, (double)ev->qty * ev->price);
    return 1;
}

/* Read the slice's events, from `from` until the next slice's first event (or the array's end and the input's
   end, for the last slice). Fails on anything unusual, and when the next slice's start is not where this slice's
   last event ends: then the cut was not an event boundary. */
static void read_slice(Slice *slice, cursor end) {
    cursor p = slice->from;
    Event ev = {0};
    slice->ok = 0;
    for (;;) {
        if (p >= end || *p != '{') return;
        cursor next = read_event_as_written(p, end, &ev);
        if (!(p = next ? next : read_event(p, end, &ev)) || !aggregate(&slice->table, &ev)) return;
        p = skip_ws(p, end);
        if (p >= end) return;
        if (*p == ']') {
            slice->ok = !slice->next && skip_ws(p + 1, end) == end;
            return;
        }
        if (*p != ',') return;
        p = skip_ws(p + 1, end);
        if (slice->next && p >= slice->next) {
            slice->ok = p == slice->next;
            return;
        }
    }
}

/* Cut [first, end) into up to `want` slices at line starts (a JSON string holds no raw newline). */
static int cut(cursor first, cursor end, int want, Slice *slices) {
    int n = 1;
    memset(slices, 0, sizeof(Slice) * (size_t)want);
    slices[0].from = first;
    for (int k = 1; k < want; k++) {
        cursor at = first + (size_t)(end - first) * (size_t)k / (size_t)want;
        if (at <= slices[n - 1].from) continue;
        cursor newline = memchr(at, '\n', (size_t)(end - at));
        if (!newline) break;
        cursor start = skip_ws(newline + 1, end);
        if (start >= end || start <= slices[n - 1].from) continue;
        slices[n - 1].next = start;
        slices[n++].from = start;
    }
    return n;
}

static int read_slices(Slice *slices, int n, cursor end) {
    int ok = 1;
#pragma omp parallel for num_threads(n) schedule(static, 1) if (n > 1)
    for (int k = 0; k < n; k++) read_slice(&slices[k], end);
    for (int k = 0; k < n; k++) ok &= slices[k].ok;
    return ok;
}

/* One tally of a slice added to a user's: a value first seen in this slice gets its ordinal after the user's
   `before` kept events of the earlier slices. */
static void merge_tally(uint32_t *count, uint32_t *first, const uint32_t *slice_count, const uint32_t *slice_first,
                        int n, uint32_t before) {
    for (int v = 0; v < n; v++) {
        if (!slice_count[v]) continue;
        if (!count[v]) first[v] = before + slice_first[v];
        count[v] += slice_count[v];
    }
}

/* Add the slices' users into `all` in file order: counts add up, a value's first ordinal is shifted by the
   user's kept events in the earlier slices, and the float terms are replayed in file order. */
static int merge(Slice *slices, int n, Table *all) {
    for (int k = 0; k < n; k++) {
        Table *t = &slices[k].table;
        uint32_t *global = malloc((t->n_users ? t->n_users : 1) * sizeof *global);
        if (!global) return 0;
        for (uint32_t i = 0; i < t->n_users; i++) {
            const User *s = &t->users[i];
            User *u = table_user(all, s->id, s->id_len, &global[i]);
            if (!u) { free(global); return 0; }
            uint32_t before = u->events;
            merge_tally(u->type_count, u->type_first, s->type_count, s->type_first, N_TYPES, before);
            merge_tally(u->page_count, u->page_first, s->page_count, s->page_first, N_PAGES, before);
            merge_tally(u->hour_count, u->hour_first, s->hour_count, s->hour_first, N_HOURS, before);
            for (int w = 0; w < 6; w++) u->days[w] |= s->days[w];
            if (before == 0 || memcmp(s->first_ts, u->first_ts, 20) < 0) memcpy(u->first_ts, s->first_ts, 20);
            if (before == 0 || memcmp(s->last_ts, u->last_ts, 20) > 0) memcpy(u->last_ts, s->last_ts, 20);
            u->events += s->events;
            u->purchases += s->purchases;
            u->items += s->items;
        }
        for (size_t i = 0; i < t->n_terms; i++) {
            User *u = &all->users[global[t->terms[i].user]];
            if (t->terms[i].is_cart) u->cart_value += t->terms[i].value;
            else u->revenue += t->terms[i].value;
        }
        free(global);
    }
    return 1;
}

/* ---- summarising and handing over ---- */

/* Python's round(x, 2): the double nearest to x*100 rounded to an integer, ties to even, over x's exact value.
   fma gives the rounding error of x*100, which decides only when the rounded product lies on a half. */
static double round_cents(double x) {
    double y = x * 100.0;
    if (!(fabs(y) < 4503599627370496.0)) { /* 2^52: no fraction left to round, or inf/nan */
        char text[512];
        snprintf(text, sizeof text, "%.2f", x);
        return strtod(text, NULL);
    }
    double error = fma(x, 100.0, -y), r = nearbyint(y), half = y - r;
    if (half == 0.5 && error > 0) r += 1;
    else if (half == -0.5 && error < 0) r -= 1;
    return r / 100.0;
}

static int result_alloc(jpx_result *res, int64_t n, size_t id_bytes) {
    size_t rows = (size_t)(n ? n : 1);
    res->cols = malloc(sizeof(int64_t) * N_COLS * rows);
    res->money = malloc(sizeof(double) * 2 * rows);
    res->ids = malloc(id_bytes + rows);
    res->stamps = malloc(42 * rows);
    res->n_users = n;
    return res->cols && res->money && res->ids && res->stamps;
}

static void put_user(jpx_result *res, int64_t i, cursor id, int64_t id_len, const int64_t cols[N_COLS - 1],
                     double revenue, double cart, const void *first_ts, const void *last_ts, char **id_at) {
    int64_t n = res->n_users;
    for (int c = 0; c < N_COLS - 1; c++) res->cols[c * n + i] = cols[c];
    res->cols[COL_ID_LEN * n + i] = id_len;
    res->money[i] = round_cents(revenue);
    res->money[n + i] = round_cents(cart);
    if (memchr(id, '\n', (size_t)id_len)) res->ids_split = 0;
    memcpy(*id_at, id, (size_t)id_len);
    *id_at += id_len;
    *(*id_at)++ = '\n';
    memcpy(res->stamps + 21 * i, first_ts, 20);
    res->stamps[21 * i + 20] = '\n';
    memcpy(res->stamps + 21 * (n + i), last_ts, 20);
    res->stamps[21 * (n + i) + 20] = '\n';
}

static int export_table(const Table *all, jpx_result *res) {
    size_t id_bytes = 0;
    for (uint32_t i = 0; i < all->n_users; i++) id_bytes += all->users[i].id_len;
    if (!result_alloc(res, all->n_users, id_bytes)) return 0;
    char *id_at = res->ids;
    res->ids_split = 1;
    for (uint32_t i = 0; i < all->n_users; i++) {
        const User *u = &all->users[i];
        int days = 0;
        for (int w = 0; w < 6; w++) days += __builtin_popcountll(u->days[w]);
        const int64_t cols[N_COLS - 1] = {u->events, u->purchases, u->items,
                                          jp_most_frequent(u->type_count, u->type_first, N_TYPES),
                                          jp_most_frequent(u->page_count, u->page_first, N_PAGES),
                                          jp_most_frequent(u->hour_count, u->hour_first, N_HOURS), days};
        put_user(res, i, u->id, u->id_len, cols, u->revenue, u->cart_value, u->first_ts, u->last_ts, &id_at);
    }
    res->ids_len = id_at - res->ids;
    return 1;
}

/* The general path: the study tier's reader, its result turned into this one's shape. */
static void general_path(const char *data, size_t len, jpx_result *res) {
    jp_result *g = jp_run(data, len);
    size_t id_bytes = 0;
    if (!g) {
        snprintf(res->error, sizeof res->error, "out of memory");
        return;
    }
    for (int64_t i = 0; i < g->n_users; i++) id_bytes += (size_t)g->ints[8 * i];
    if (g->error[0]) {
        memcpy(res->error, g->error, sizeof res->error);
    } else if (!result_alloc(res, g->n_users, id_bytes)) {
        snprintf(res->error, sizeof res->error, "out of memory");
    } else {
        char *id_at = res->ids;
        const char *id = g->ids;
        res->ids_split = 1;
        for (int64_t i = 0; i < g->n_users; i++) {
            const int64_t *row = g->ints + 8 * i; /* id_len events purchases items top_type top_page hour days */
            put_user(res, i, (cursor)id, row[0], row + 1, g->floats[2 * i], g->floats[2 * i + 1],
                     g->stamps + 40 * i, g->stamps + 40 * i + 20, &id_at);
            id += row[0];
        }
        res->ids_len = id_at - res->ids;
    }
    jp_free(g);
}

int jpx_threads(void) {
#ifdef _OPENMP
    int n = omp_get_max_threads();
    return n < MAX_SLICES ? n : MAX_SLICES;
#else
    return 1;
#endif
}

const char *jpx_simd(void) {
#if defined(__AVX2__)
    return "AVX2 string scans (32 bytes)";
#elif defined(__SSE2__)
    return "SSE2 string scans (16 bytes)";
#else
    return "scalar string scans";
#endif
}

static void free_columns(jpx_result *res) {
    free(res->cols);
    free(res->money);
    free(res->ids);
    free(res->stamps);
    res->cols = NULL;
    res->money = NULL;
    res->ids = NULL;
    res->stamps = NULL;
    res->n_users = res->ids_len = 0;
}

void jpx_free(jpx_result *res) {
    if (!res) return;
    free_columns(res);
    free(res);
}

/* Run the pipeline over `len` bytes. NULL only when even the result cannot be allocated. */
jpx_result *jpx_run(const char *data, size_t len) {
    jpx_result *res = calloc(1, sizeof *res);
    if (!res) return NULL;
    cursor p = (cursor)data, end = p + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3; /* as json.loads(bytes) */
    p = skip_ws(p, end);
    int fast = p < end && *p == '[';
    if (fast) p = skip_ws(p + 1, end);
    if (fast && p < end && *p == ']') { /* no events */
        fast = skip_ws(p + 1, end) == end;
        if (fast && !result_alloc(res, 0, 0)) fast = 0;
        if (fast) { res->ids_split = 1; return res; }
    }
    Slice slices[MAX_SLICES];
    for (int want = len < MIN_SPLIT_BYTES ? 1 : jpx_threads(); fast; want = 1) {
        int n = cut(p, end, want, slices);
        Table all;
        memset(&all, 0, sizeof all);
        int ok = read_slices(slices, n, end) && merge(slices, n, &all) && export_table(&all, res);
        for (int k = 0; k < n; k++) table_free(&slices[k].table);
        table_free(&all);
        if (ok) {
            res->slices = n;
            return res;
        }
        free_columns(res);
        if (n == 1) break; /* the fast reader does not take this input: the general path reads it */
    }
    general_path(data, len, res);
    return res;
}
