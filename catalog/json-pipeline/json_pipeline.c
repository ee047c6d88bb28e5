/* The JSON event pipeline in C: read the raw bytes, filter, transform and aggregate per user (SPEC.md).
 *
 * A small JSON reader for the events schema: a top-level array of objects, keys in any order, any JSON
 * whitespace, string escapes decoded, unknown keys and values of any shape skipped, strict JSON grammar and
 * UTF-8 checked. Nothing is built per event; the per-user aggregates live in C structs in a hash table. Python
 * (c_impl.py) reads the finished aggregates through ctypes and builds the output dict.
 *
 * Errors never abort: jp_run returns a result whose `error` is set, and c_impl.py raises ValueError.
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_TYPES 5
#define N_PAGES 10
#define N_HOURS 24
#define MAX_DEPTH 512
#define MAX_USER_ID 64 /* bytes kept of a decoded string: a user_id may not be longer */

static const char *const TYPE_NAMES[N_TYPES] = {"page_view", "click", "search", "add_to_cart", "purchase"};
enum { T_ADD_TO_CART = 3, T_PURCHASE = 4 };
static const char *const PAGE_NAMES[N_PAGES] = {"/",     "/home",    "/search", "/product", "/cart",
                                                "/checkout", "/account", "/help",   "/blog",    "/pricing"};
static const char KEEP_FROM[] = "2025-03-01T00:00:00Z"; /* inclusive */
static const char KEEP_UNTIL[] = "2025-10-01T00:00:00Z"; /* exclusive */
/* days before each month of 2025 (not a leap year) */
static const int MONTH_START[13] = {0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
static const int MONTH_DAYS[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

typedef struct {
    char id[MAX_USER_ID];
    int64_t id_len;
    int64_t events, purchases, items;
    double revenue, cart_value;
    /* counts, and the ordinal (1-based, among the user's kept events) of the first occurrence: ties in
       the most-frequent value go to the one seen first, as collections.Counter.most_common does */
    uint32_t type_count[N_TYPES], type_first[N_TYPES];
    uint32_t page_count[N_PAGES], page_first[N_PAGES];
    uint32_t hour_count[N_HOURS], hour_first[N_HOURS];
    uint64_t days[6]; /* bit per day of the year */
    char first_ts[20], last_ts[20];
} User;

/* What c_impl.py reads (keep the ctypes Structure in step). */
#define INTS_PER_USER 8 /* id_len events purchases items top_type top_page peak_hour active_days */
#define FLOATS_PER_USER 2 /* revenue cart_value, unrounded */
typedef struct {
    int64_t n_users;
    int64_t *ints;
    double *floats;
    char *ids;    /* the user ids back to back; lengths in ints */
    char *stamps; /* first_ts then last_ts, 40 bytes per user */
    char error[256];
} jp_result;

typedef struct {
    const unsigned char *start, *p, *end;
    int depth;
    User *users;
    int64_t n_users, cap_users;
    int64_t *slots; /* open addressing: index + 1 into users, 0 = empty */
    uint64_t n_slots;
    char *error; /* points into the result */
} Reader;

/* One decoded string we care about; `truncated` when it did not fit. */
typedef struct {
    char s[MAX_USER_ID];
    size_t len;
    int truncated;
} Str;

/* The fields of one event, as far as the pipeline needs them. */
typedef struct {
    int has_type, has_user, has_page, has_ts;
    int type; /* index into TYPE_NAMES, -1 for a type the pipeline drops */
    int page; /* index into PAGE_NAMES, -1 for an unknown page */
    Str user, ts;
    int has_amount, has_price, has_items, has_qty;
    int items_is_int, qty_is_int;
    double amount, price;
    int64_t items, qty;
} Event;

static int fail(Reader *r, const char *fmt, ...) {
    if (r->error[0] == '\0') {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(r->error, 256, "%s at byte %lld", msg, (long long)(r->p - r->start));
    }
    return -1;
}

static void skip_ws(Reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t')) r->p++;
}

static int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_hex4(Reader *r, const unsigned char *at, unsigned *out) {
    unsigned v = 0;
    if (r->end - at < 4) return fail(r, "truncated \\u escape");
    for (int i = 0; i < 4; i++) {
        int h = hex_value(at[i]);
        if (h < 0) return fail(r, "invalid \\u escape");
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence starting at p (lead byte >= 0x80), or 0. Not static: the expert tier's
   reader (json_pipeline_expert.c), which links this file in, uses it too, and jp_most_frequent. */
size_t jp_utf8_sequence(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    size_t need;
    unsigned min;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if ((size_t)(end - p) <= need) return 0;
    for (size_t i = 1; i <= need; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return need + 1;
}

static void put(Str *out, unsigned char c) {
    if (out->len < sizeof out->s) out->s[out->len++] = (char)c;
    else out->truncated = 1;
}

static void put_code_point(Str *out, unsigned cp) {
    if (cp < 0x80) {
        put(out, (unsigned char)cp);
    } else if (cp < 0x800) {
        put(out, (unsigned char)(0xC0 | (cp >> 6)));
        put(out, (unsigned char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) { /* lone surrogates too, as Python's "surrogatepass" would */
        put(out, (unsigned char)(0xE0 | (cp >> 12)));
        put(out, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
        put(out, (unsigned char)(0x80 | (cp & 0x3F)));
    } else {
        put(out, (unsigned char)(0xF0 | (cp >> 18)));
        put(out, (unsigned char)(0x80 | ((cp >> 12) & 0x3F)));
        put(out, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
        put(out, (unsigned char)(0x80 | (cp & 0x3F)));
    }
}

/* Read a string (r->p at the opening quote). With `out`, decode it (escapes included) into out. */
static int read_string(Reader *r, Str *out) {
    const unsigned char *p = r->p + 1, *end = r->end;
    if (out) { out->len = 0; out->truncated = 0; }
    for (;;) {
        if (p >= end) { r->p = p; return fail(r, "unterminated string"); }
        unsigned char c = *p;
        if (c == '"') break;
        if (c == '\\') {
            if (end - p < 2) { r->p = p; return fail(r, "unterminated string"); }
            unsigned char e = p[1];
            unsigned cp = 0;
            switch (e) {
            case '"': cp = '"'; break;
            case '\\': cp = '\\'; break;
            case '/': cp = '/'; break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'n': cp = '\n'; break;
            case 'r': cp = '\r'; break;
            case 't': cp = '\t'; break;
            case 'u':
                r->p = p;
                if (read_hex4(r, p + 2, &cp) < 0) return -1;
                if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 12 && p[6] == '\\' && p[7] == 'u') {
                    unsigned low = 0;
                    if (read_hex4(r, p + 8, &low) < 0) return -1;
                    if (low >= 0xDC00 && low <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        p += 6;
                    }
                }
                p += 4;
                break;
            default: r->p = p; return fail(r, "invalid escape \\%c", e);
            }
            if (out) put_code_point(out, cp);
            p += 2;
        } else if (c < 0x20) {
            r->p = p;
            return fail(r, "control character in string");
        } else if (c < 0x80) {
            if (out) put(out, c);
            p++;
        } else {
            size_t n = jp_utf8_sequence(p, end);
            if (n == 0) { r->p = p; return fail(r, "invalid UTF-8"); }
            if (out) for (size_t i = 0; i < n; i++) put(out, p[i]);
            p += n;
        }
    }
    r->p = p + 1;
    return 0;
}

/* A JSON number. Sets *value, and *is_int and *int_value (an integer written without fraction or exponent
   that fits in 53 bits); with value NULL it only checks the grammar. */
static int read_number(Reader *r, double *value, int *is_int, int64_t *int_value) {
    const unsigned char *p = r->p, *end = r->end, *start = r->p;
    int negative = 0, exp_negative = 0;
    uint64_t mantissa = 0;
    int digits = 0, scale = 0, exp = 0, exact = 1, integer = 1;
    if (p < end && *p == '-') { negative = 1; p++; }
    if (p >= end || *p < '0' || *p > '9') return fail(r, "invalid value");
    if (*p == '0') {
        p++;
    } else {
        while (p < end && *p >= '0' && *p <= '9') {
            if (digits < 19) { mantissa = mantissa * 10 + (uint64_t)(*p - '0'); digits++; }
            else { exact = 0; scale++; }
            p++;
        }
    }
    if (p < end && *p == '.') {
        integer = 0;
        p++;
        if (p >= end || *p < '0' || *p > '9') { r->p = p; return fail(r, "invalid number"); }
        while (p < end && *p >= '0' && *p <= '9') {
            if (digits < 19) { mantissa = mantissa * 10 + (uint64_t)(*p - '0'); digits++; scale--; }
            else if (*p != '0') exact = 0;
            p++;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        integer = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) { exp_negative = *p == '-'; p++; }
        if (p >= end || *p < '0' || *p > '9') { r->p = p; return fail(r, "invalid number"); }
        while (p < end && *p >= '0' && *p <= '9') {
            if (exp < 100000) exp = exp * 10 + (*p - '0');
            p++;
        }
    }
    r->p = p;
    if (!value) return 0; /* only skipping it */
    int e10 = scale + (exp_negative ? -exp : exp);
    static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (exact && mantissa <= (1ULL << 53) && e10 >= -22 && e10 <= 22) {
        /* both operands exact, so one correctly rounded operation gives the correctly rounded result */
        double m = (double)mantissa;
        *value = e10 < 0 ? m / POW10[-e10] : m * POW10[e10];
        if (negative) *value = -*value;
    } else {
        /* rare (more than 19 significant digits or a large exponent): the C library converts a copy */
        char small[64];
        size_t len = (size_t)(p - start);
        char *buf = len < sizeof small ? small : malloc(len + 1);
        if (!buf) return fail(r, "out of memory");
        memcpy(buf, start, len);
        buf[len] = '\0';
        *value = strtod(buf, NULL);
        if (buf != small) free(buf);
    }
    *is_int = integer && exact && mantissa <= (1ULL << 53);
    *int_value = negative ? -(int64_t)mantissa : (int64_t)mantissa;
    return 0;
}

static int expect_word(Reader *r, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return fail(r, "invalid value");
    r->p += n;
    return 0;
}

static int skip_value(Reader *r);

static int skip_container(Reader *r, unsigned char close) {
    if (++r->depth > MAX_DEPTH) return fail(r, "nesting too deep");
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == close) { r->p++; r->depth--; return 0; }
    for (;;) {
        if (close == '}') {
            if (r->p >= r->end || *r->p != '"') return fail(r, "expected a key");
            if (read_string(r, NULL) < 0) return -1;
            skip_ws(r);
            if (r->p >= r->end || *r->p != ':') return fail(r, "expected ':'");
            r->p++;
            skip_ws(r);
        }
        if (skip_value(r) < 0) return -1;
        skip_ws(r);
        if (r->p >= r->end) return fail(r, "unterminated %s", close == '}' ? "object" : "array");
        if (*r->p == ',') { r->p++; skip_ws(r); continue; }
        if (*r->p == close) { r->p++; r->depth--; return 0; }
        return fail(r, "expected ',' or '%c'", close);
    }
}

/* Skip one value of any shape (r->p at its first byte). */
static int skip_value(Reader *r) {
    if (r->p >= r->end) return fail(r, "expected a value");
    switch (*r->p) {
    case '{': return skip_container(r, '}');
    case '[': return skip_container(r, ']');
    case '"': return read_string(r, NULL);
    case 't': return expect_word(r, "true");
    case 'f': return expect_word(r, "false");
    case 'n': return expect_word(r, "null");
    default: return read_number(r, NULL, NULL, NULL);
    }
}

static int str_is(const Str *s, const char *lit) {
    size_t n = strlen(lit);
    return !s->truncated && s->len == n && memcmp(s->s, lit, n) == 0;
}

/* Read an object, calling `field` for each key (decoded) with r->p at the value; `field` consumes it. */
typedef int (*field_fn)(Reader *r, const Str *key, Event *ev);

static int read_object(Reader *r, field_fn field, Event *ev) {
    Str key;
    if (r->p >= r->end || *r->p != '{') return fail(r, "expected an object");
    if (++r->depth > MAX_DEPTH) return fail(r, "nesting too deep");
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == '}') { r->p++; r->depth--; return 0; }
    for (;;) {
        if (r->p >= r->end || *r->p != '"') return fail(r, "expected a key");
        if (read_string(r, &key) < 0) return -1;
        skip_ws(r);
        if (r->p >= r->end || *r->p != ':') return fail(r, "expected ':'");
        r->p++;
        skip_ws(r);
        if (field(r, &key, ev) < 0) return -1;
        skip_ws(r);
        if (r->p >= r->end) return fail(r, "unterminated object");
        if (*r->p == ',') { r->p++; skip_ws(r); continue; }
        if (*r->p == '}') { r->p++; r->depth--; return 0; }
        return fail(r, "expected ',' or '}'");
    }
}

static int read_string_field(Reader *r, Str *out, const char *name) {
    if (r->p >= r->end || *r->p != '"') return fail(r, "\"%s\" must be a string", name);
    return read_string(r, out);
}

static int meta_field(Reader *r, const Str *key, Event *ev) {
    double v;
    int is_int;
    int64_t i;
    int which = str_is(key, "amount") ? 1 : str_is(key, "price") ? 2 : str_is(key, "items") ? 3
              : str_is(key, "qty") ? 4 : 0;
    if (which == 0 || r->p >= r->end || !(*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))) return skip_value(r);
    if (read_number(r, &v, &is_int, &i) < 0) return -1;
    switch (which) {
    case 1: ev->has_amount = 1; ev->amount = v; break;
    case 2: ev->has_price = 1; ev->price = v; break;
    case 3: ev->has_items = 1; ev->items = i; ev->items_is_int = is_int; break;
    default: ev->has_qty = 1; ev->qty = i; ev->qty_is_int = is_int; break;
    }
    return 0;
}

static int event_field(Reader *r, const Str *key, Event *ev) {
    Str s;
    if (str_is(key, "type")) {
        if (read_string_field(r, &s, "type") < 0) return -1;
        ev->has_type = 1;
        ev->type = -1;
        for (int t = 0; t < N_TYPES; t++)
            if (str_is(&s, TYPE_NAMES[t])) ev->type = t;
        return 0;
    }
    if (str_is(key, "user_id")) {
        if (read_string_field(r, &ev->user, "user_id") < 0) return -1;
        if (ev->user.truncated) return fail(r, "user_id longer than %d bytes", MAX_USER_ID);
        ev->has_user = 1;
        return 0;
    }
    if (str_is(key, "page")) {
        if (read_string_field(r, &s, "page") < 0) return -1;
        ev->has_page = 1;
        ev->page = -1;
        for (int g = 0; g < N_PAGES; g++)
            if (str_is(&s, PAGE_NAMES[g])) ev->page = g;
        return 0;
    }
    if (str_is(key, "ts")) {
        if (read_string_field(r, &ev->ts, "ts") < 0) return -1;
        ev->has_ts = 1;
        return 0;
    }
    if (str_is(key, "meta") && r->p < r->end && *r->p == '{') {
        /* a repeated "meta" replaces the earlier one, as in json.loads */
        ev->has_amount = ev->has_price = ev->has_items = ev->has_qty = 0;
        return read_object(r, meta_field, ev);
    }
    return skip_value(r);
}

static int two_digits(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

/* Check `YYYY-MM-DDTHH:MM:SSZ` (a real date and time). */
static int valid_ts(const Str *ts) {
    static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
    if (ts->truncated || ts->len != 20) return 0;
    for (int i = 0; i < 20; i++) {
        char c = ts->s[i];
        if (pattern[i] == 'd' ? (c < '0' || c > '9') : c != pattern[i]) return 0;
    }
    int year = two_digits(ts->s) * 100 + two_digits(ts->s + 2);
    int month = two_digits(ts->s + 5), day = two_digits(ts->s + 8);
    if (year < 1 || month < 1 || month > 12 || day < 1) return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int days_in_month = MONTH_DAYS[month] + (month == 2 && leap);
    return day <= days_in_month && two_digits(ts->s + 11) < 24 && two_digits(ts->s + 14) < 60 &&
           two_digits(ts->s + 17) < 60;
}

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

static int grow_slots(Reader *r) {
    uint64_t n = r->n_slots ? r->n_slots * 2 : 4096;
    int64_t *slots = calloc(n, sizeof *slots);
    if (!slots) return fail(r, "out of memory");
    for (int64_t u = 0; u < r->n_users; u++) {
        uint64_t h = hash_bytes(r->users[u].id, (size_t)r->users[u].id_len) & (n - 1);
        while (slots[h]) h = (h + 1) & (n - 1);
        slots[h] = u + 1;
    }
    free(r->slots);
    r->slots = slots;
    r->n_slots = n;
    return 0;
}

static User *find_user(Reader *r, const Str *id) {
    if ((uint64_t)(r->n_users + 1) * 2 > r->n_slots && grow_slots(r) < 0) return NULL;
    uint64_t h = hash_bytes(id->s, id->len) & (r->n_slots - 1);
    for (;;) {
        int64_t slot = r->slots[h];
        if (slot == 0) break;
        User *u = &r->users[slot - 1];
        if ((size_t)u->id_len == id->len && memcmp(u->id, id->s, id->len) == 0) return u;
        h = (h + 1) & (r->n_slots - 1);
    }
    if (r->n_users == r->cap_users) {
        int64_t cap = r->cap_users ? r->cap_users * 2 : 1024;
        User *users = realloc(r->users, (size_t)cap * sizeof *users);
        if (!users) { fail(r, "out of memory"); return NULL; }
        r->users = users;
        r->cap_users = cap;
    }
    User *u = &r->users[r->n_users];
    memset(u, 0, sizeof *u);
    memcpy(u->id, id->s, id->len);
    u->id_len = (int64_t)id->len;
    r->slots[h] = ++r->n_users;
    return u;
}

static void count(uint32_t *counts, uint32_t *first, int k, uint32_t ordinal) {
    if (counts[k]++ == 0) first[k] = ordinal;
}

static int apply(Reader *r, const Event *ev) {
    if (!ev->has_type) return fail(r, "event without \"type\"");
    if (ev->type < 0) return 0;
    if (!ev->has_ts) return fail(r, "event without \"ts\"");
    if (!valid_ts(&ev->ts)) return fail(r, "invalid timestamp");
    if (memcmp(ev->ts.s, KEEP_FROM, 20) < 0 || memcmp(ev->ts.s, KEEP_UNTIL, 20) >= 0) return 0;
    if (!ev->has_user) return fail(r, "event without \"user_id\"");
    if (!ev->has_page) return fail(r, "event without \"page\"");
    if (ev->page < 0) return fail(r, "unknown page");
    if (ev->type == T_PURCHASE && !(ev->has_amount && ev->has_items && ev->items_is_int))
        return fail(r, "purchase without numeric \"amount\" and integer \"items\"");
    if (ev->type == T_ADD_TO_CART && !(ev->has_price && ev->has_qty && ev->qty_is_int))
        return fail(r, "add_to_cart without integer \"qty\" and numeric \"price\"");

    User *u = find_user(r, &ev->user);
    if (!u) return -1;
    const char *ts = ev->ts.s;
    uint32_t ordinal = (uint32_t)++u->events;
    count(u->type_count, u->type_first, ev->type, ordinal);
    count(u->page_count, u->page_first, ev->page, ordinal);
    count(u->hour_count, u->hour_first, two_digits(ts + 11), ordinal);
    int day = MONTH_START[two_digits(ts + 5)] + two_digits(ts + 8) - 1; /* within 2025 */
    u->days[day >> 6] |= 1ULL << (day & 63);
    if (ordinal == 1 || memcmp(ts, u->first_ts, 20) < 0) memcpy(u->first_ts, ts, 20);
    if (ordinal == 1 || memcmp(ts, u->last_ts, 20) > 0) memcpy(u->last_ts, ts, 20);
    if (ev->type == T_PURCHASE) {
        u->purchases++;
        u->revenue += ev->amount;
        u->items += ev->items;
    } else if (ev->type == T_ADD_TO_CART) {
        u->cart_value += (double)ev->qty * ev->price;
    }
    return 0;
}

static int read_events(Reader *r) {
    if (r->end - r->p >= 3 && memcmp(r->p, "\xEF\xBB\xBF", 3) == 0) r->p += 3; /* as json.loads(bytes) */
    skip_ws(r);
    if (r->p >= r->end || *r->p != '[') return fail(r, "expected a JSON array");
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
    } else {
        for (;;) {
            Event ev;
            memset(&ev, 0, sizeof ev);
            if (r->p >= r->end || *r->p != '{') return fail(r, "expected an event object");
            if (read_object(r, event_field, &ev) < 0 || apply(r, &ev) < 0) return -1;
            skip_ws(r);
            if (r->p >= r->end) return fail(r, "unterminated array");
            if (*r->p == ',') { r->p++; skip_ws(r); continue; }
            if (*r->p == ']') { r->p++; break; }
            return fail(r, "expected ',' or ']'");
        }
    }
    skip_ws(r);
    if (r->p != r->end) return fail(r, "extra data after the array");
    return 0;
}

int jp_most_frequent(const uint32_t *counts, const uint32_t *first, int n) {
    int best = 0;
    for (int k = 1; k < n; k++)
        if (counts[k] > counts[best] || (counts[k] == counts[best] && counts[k] && first[k] < first[best]))
            best = k;
    return best;
}

static int export_users(Reader *r, jp_result *res) {
    int64_t n = r->n_users;
    size_t id_bytes = 0;
    for (int64_t u = 0; u < n; u++) id_bytes += (size_t)r->users[u].id_len;
    res->ints = malloc(sizeof(int64_t) * INTS_PER_USER * (size_t)(n ? n : 1));
    res->floats = malloc(sizeof(double) * FLOATS_PER_USER * (size_t)(n ? n : 1));
    res->ids = malloc(id_bytes ? id_bytes : 1);
    res->stamps = malloc(40 * (size_t)(n ? n : 1));
    if (!res->ints || !res->floats || !res->ids || !res->stamps) return fail(r, "out of memory");
    char *id = res->ids;
    for (int64_t i = 0; i < n; i++) {
        const User *u = &r->users[i];
        int64_t *out = res->ints + INTS_PER_USER * i;
        int active_days = 0;
        for (int w = 0; w < 6; w++) active_days += __builtin_popcountll(u->days[w]);
        out[0] = u->id_len;
        out[1] = u->events;
        out[2] = u->purchases;
        out[3] = u->items;
        out[4] = jp_most_frequent(u->type_count, u->type_first, N_TYPES);
        out[5] = jp_most_frequent(u->page_count, u->page_first, N_PAGES);
        out[6] = jp_most_frequent(u->hour_count, u->hour_first, N_HOURS);
        out[7] = active_days;
        res->floats[FLOATS_PER_USER * i] = u->revenue;
        res->floats[FLOATS_PER_USER * i + 1] = u->cart_value;
        memcpy(id, u->id, (size_t)u->id_len);
        id += u->id_len;
        memcpy(res->stamps + 40 * i, u->first_ts, 20);
        memcpy(res->stamps + 40 * i + 20, u->last_ts, 20);
    }
    res->n_users = n;
    return 0;
}

void jp_free(jp_result *res) {
    if (!res) return;
    free(res->ints);
    free(res->floats);
    free(res->ids);
    free(res->stamps);
    free(res);
}

/* Run the pipeline over `len` bytes. NULL only when even the result cannot be allocated. */
jp_result *jp_run(const char *data, size_t len) {
    jp_result *res = calloc(1, sizeof *res);
    if (!res) return NULL;
    Reader r;
    memset(&r, 0, sizeof r);
    r.start = r.p = (const unsigned char *)data;
    r.end = r.start + len;
    r.error = res->error;
    if (read_events(&r) == 0) export_users(&r, res);
    free(r.users);
    free(r.slots);
    if (res->error[0]) { /* hand back the message only */
        free(res->ints); free(res->floats); free(res->ids); free(res->stamps);
        res->ints = NULL; res->floats = NULL; res->ids = NULL; res->stamps = NULL;
        res->n_users = 0;
    }
    return res;
}
