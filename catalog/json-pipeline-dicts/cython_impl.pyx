# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""JSON event pipeline in Cython, dict optimized, from already-parsed events (SPEC.md).

What an expert writes: the per-user state is a cdef class of C counters and bitsets, the event dicts are read
with PyDict_GetItem (borrowed references, no KeyError machinery on the hot path), the strings are compared and
the timestamps parsed as C bytes, and Python objects are created only for the output. The input is still a
list of Python dicts, so every field read goes through the C API: that is the ceiling the study describes.
"""

import json

from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject
from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.string cimport memcmp, memcpy, memset

cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object s, Py_ssize_t *size) except NULL
    double PyFloat_AsDouble(object o) except? -1.0
    long long PyLong_AsLongLong(object o) except? -1


cdef enum:
    N_TYPES = 5
    N_PAGES = 10
    N_HOURS = 24
    T_ADD_TO_CART = 3
    T_PURCHASE = 4

TYPE_NAMES = ("page_view", "click", "search", "add_to_cart", "purchase")
PAGE_NAMES = ("/", "/home", "/search", "/product", "/cart", "/checkout", "/account", "/help", "/blog", "/pricing")

cdef const char *C_TYPES[N_TYPES]
C_TYPES[:] = [b"page_view", b"click", b"search", b"add_to_cart", b"purchase"]
cdef Py_ssize_t C_TYPE_LENS[N_TYPES]
C_TYPE_LENS[:] = [9, 5, 6, 11, 8]
cdef const char *C_PAGES[N_PAGES]
C_PAGES[:] = [b"/", b"/home", b"/search", b"/product", b"/cart", b"/checkout", b"/account", b"/help", b"/blog",
              b"/pricing"]
cdef Py_ssize_t C_PAGE_LENS[N_PAGES]
C_PAGE_LENS[:] = [1, 5, 7, 8, 5, 9, 8, 5, 5, 8]
# days of 2025 before each month (index 1..12)
cdef int MONTH_START[13]
MONTH_START[:] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
cdef int MONTH_DAYS[13]
MONTH_DAYS[:] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

cdef const char *KEEP_FROM = b"2025-03-01T00:00:00Z"
cdef const char *KEEP_UNTIL = b"2025-10-01T00:00:00Z"


cdef class UserAgg:
    cdef int64_t events, purchases, items
    cdef double revenue, cart_value
    # counts and 1-based ordinal of the first occurrence: ties go to the value seen first (Counter.most_common)
    cdef uint32_t type_count[N_TYPES]
    cdef uint32_t type_first[N_TYPES]
    cdef uint32_t page_count[N_PAGES]
    cdef uint32_t page_first[N_PAGES]
    cdef uint32_t hour_count[N_HOURS]
    cdef uint32_t hour_first[N_HOURS]
    cdef uint64_t days[6]
    cdef char first_ts[20]
    cdef char last_ts[20]

    def __cinit__(self):
        self.events = self.purchases = self.items = 0
        self.revenue = self.cart_value = 0.0
        memset(self.type_count, 0, sizeof(self.type_count))
        memset(self.page_count, 0, sizeof(self.page_count))
        memset(self.hour_count, 0, sizeof(self.hour_count))
        memset(self.days, 0, sizeof(self.days))

    cdef dict summary(self):
        cdef int w, active_days = 0
        for w in range(6):
            active_days += __builtin_popcountll(self.days[w])
        return {
            "events": self.events,
            "purchases": self.purchases,
            "revenue": round(self.revenue, 2),
            "cart_value": round(self.cart_value, 2),
            "items": self.items,
            "top_type": TYPE_NAMES[most_frequent(self.type_count, self.type_first, N_TYPES)],
            "top_page": PAGE_NAMES[most_frequent(self.page_count, self.page_first, N_PAGES)],
            "peak_hour": most_frequent(self.hour_count, self.hour_first, N_HOURS),
            "active_days": active_days,
            "first_ts": self.first_ts[:20].decode("ascii"),
            "last_ts": self.last_ts[:20].decode("ascii"),
        }


cdef extern from *:
    int __builtin_popcountll(unsigned long long x) nogil


cdef inline int most_frequent(const uint32_t *counts, const uint32_t *first, int n) noexcept:
    cdef int k, best = 0
    for k in range(1, n):
        if counts[k] > counts[best] or (counts[k] == counts[best] and counts[k] and first[k] < first[best]):
            best = k
    return best


cdef inline void count(uint32_t *counts, uint32_t *first, int k, uint32_t ordinal) noexcept:
    if counts[k] == 0:
        first[k] = ordinal
    counts[k] += 1


cdef inline int match(const char *s, Py_ssize_t n, const char **names, const Py_ssize_t *lens, int count) noexcept:
    cdef int k
    for k in range(count):
        if lens[k] == n and memcmp(s, names[k], n) == 0:
            return k
    return -1


cdef inline int two_digits(const char *s) noexcept:
    return (s[0] - 48) * 10 + (s[1] - 48)


cdef bint valid_ts(const char *ts, Py_ssize_t n) noexcept:
    """`YYYY-MM-DDTHH:MM:SSZ` with a real date and time."""
    cdef const char *pattern = b"dddd-dd-ddTdd:dd:ddZ"
    cdef int i, year, month, day, leap
    if n != 20:
        return False
    for i in range(20):
        if pattern[i] == b'd':
            if ts[i] < b'0' or ts[i] > b'9':
                return False
        elif ts[i] != pattern[i]:
            return False
    year = two_digits(ts) * 100 + two_digits(ts + 2)
    month = two_digits(ts + 5)
    day = two_digits(ts + 8)
    if year < 1 or month < 1 or month > 12 or day < 1:
        return False
    leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
    return (day <= MONTH_DAYS[month] + (month == 2 and leap) and two_digits(ts + 11) < 24
            and two_digits(ts + 14) < 60 and two_digits(ts + 17) < 60)


cdef inline object field(dict d, str key):
    cdef PyObject *value = PyDict_GetItem(d, key)
    if value is NULL:
        raise KeyError(key)
    return <object>value


cpdef dict pipeline(list events):
    cdef dict users = {}
    cdef dict event, meta
    cdef UserAgg agg
    cdef PyObject *found
    cdef Py_ssize_t i, n_events = PyList_GET_SIZE(events), n = 0
    cdef const char *s
    cdef const char *ts
    cdef int kind, page, day
    cdef uint32_t ordinal
    cdef object user_id

    for i in range(n_events):
        event = <dict?>PyList_GET_ITEM(events, i)
        s = PyUnicode_AsUTF8AndSize(field(event, "type"), &n)
        kind = match(s, n, C_TYPES, C_TYPE_LENS, N_TYPES)
        if kind < 0:
            continue
        ts = PyUnicode_AsUTF8AndSize(field(event, "ts"), &n)
        if not valid_ts(ts, n):
            raise ValueError("invalid timestamp %r" % event["ts"])
        if memcmp(ts, KEEP_FROM, 20) < 0 or memcmp(ts, KEEP_UNTIL, 20) >= 0:
            continue

        user_id = field(event, "user_id")
        found = PyDict_GetItem(users, user_id)
        if found is NULL:
            agg = UserAgg()
            PyDict_SetItem(users, user_id, agg)
        else:
            agg = <UserAgg>found
        s = PyUnicode_AsUTF8AndSize(field(event, "page"), &n)
        page = match(s, n, C_PAGES, C_PAGE_LENS, N_PAGES)
        if page < 0:
            raise ValueError("unknown page %r" % event["page"])

        agg.events += 1
        ordinal = <uint32_t>agg.events
        count(agg.type_count, agg.type_first, kind, ordinal)
        count(agg.page_count, agg.page_first, page, ordinal)
        count(agg.hour_count, agg.hour_first, two_digits(ts + 11), ordinal)
        day = MONTH_START[two_digits(ts + 5)] + two_digits(ts + 8) - 1
        agg.days[day >> 6] |= (<uint64_t>1) << (day & 63)
        if ordinal == 1 or memcmp(ts, agg.first_ts, 20) < 0:
            memcpy(agg.first_ts, ts, 20)
        if ordinal == 1 or memcmp(ts, agg.last_ts, 20) > 0:
            memcpy(agg.last_ts, ts, 20)

        if kind == T_PURCHASE:
            meta = <dict?>field(event, "meta")
            agg.purchases += 1
            agg.revenue += PyFloat_AsDouble(field(meta, "amount"))
            agg.items += PyLong_AsLongLong(field(meta, "items"))
        elif kind == T_ADD_TO_CART:
            meta = <dict?>field(event, "meta")
            agg.cart_value += <double>PyLong_AsLongLong(field(meta, "qty")) * PyFloat_AsDouble(field(meta, "price"))

    return {user: (<UserAgg>agg_obj).summary() for user, agg_obj in users.items()}


def setup(n, data_path):
    # by definition of this benchmark, the events arrive already parsed (not timed)
    with open(data_path, "rb") as f:
        return json.loads(f.read())


def run(events):
    return pipeline(events)
