// JSON event pipeline, the `simdjson-ext` rung: the study's fastest line ("Cython + yyjson, from bytes") with the
// C++ parser the registries provide, simdjson (Debian's libsimdjson-dev). A small CPython extension module written
// against the C API: `run` reads the raw bytes with simdjson's On-Demand API, filters, transforms and aggregates
// per user in C++ with the GIL released, and builds only the final dict (SPEC.md).
//
// The module is the implementation (the `cpp-ext` build compiles this file alone into simdjson_ext.<EXT_SUFFIX>):
//   setup(n, data_path) -> bytes        the file's bytes, as every pipeline rung is given them
//   run(data: bytes) -> dict            the per-user output of SPEC.md
//   ladder_info() -> dict               simdjson's version and the SIMD kernel it picked for this CPU
//
// On-Demand parses only what is read: keys in any order and unknown keys are handled (skipped values are still
// walked structurally), `meta` is read only for purchases and cart additions once the type is known, and for
// every event whose `meta` comes before its `type`. Strings are views into the parser's buffer, alive until `run`
// returns. simdjson needs SIMDJSON_PADDING readable bytes past the end, which a `bytes` object does not promise:
// the input is copied into a padded buffer, inside the timed call (a user holding bytes pays that copy too).

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <simdjson.h>

#include <array>
#include <bitset>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

using simdjson::ondemand::object;
using std::string_view;

// The five kept types, in SPEC.md's order; an index into per-user counters.
constexpr std::array<string_view, 5> KEPT_TYPES = {"page_view", "click", "search", "add_to_cart", "purchase"};
constexpr int ADD_TO_CART = 3;
constexpr int PURCHASE = 4;
constexpr string_view FROM = "2025-03-01T00:00:00Z";
constexpr string_view UNTIL = "2025-10-01T00:00:00Z";

// A "most frequent, ties to the first seen" counter over a small set of values.
template <typename K>
struct Tally {
    struct Entry {
        K key;
        uint32_t count;
    };
    std::vector<Entry> entries;  // in order of first occurrence, so the first maximum wins a tie

    void add(const K &key) {
        for (auto &e : entries) {
            if (e.key == key) {
                e.count++;
                return;
            }
        }
        entries.push_back({key, 1});
    }
    const K &top() const {
        const Entry *best = &entries.front();
        for (const auto &e : entries) {
            if (e.count > best->count) best = &e;
        }
        return best->key;
    }
};

struct User {
    string_view id;
    int64_t events = 0, purchases = 0, items = 0;
    double revenue = 0.0, cart_value = 0.0;
    Tally<int> types;
    Tally<string_view> pages;
    Tally<int> hours;
    std::bitset<12 * 31> days;  // (month - 1) * 31 + (day - 1)
    string_view first_ts, last_ts;
};

struct Malformed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

int two_digits(string_view s, size_t at) {
    char a = s[at], b = s[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') throw Malformed("timestamp with a non-digit: " + std::string(s));
    return (a - '0') * 10 + (b - '0');
}

// What one event's `meta` holds of what the pipeline reads.
struct Meta {
    bool has_amount = false, has_items = false, has_qty = false, has_price = false;
    double amount = 0.0, price = 0.0;
    int64_t items = 0, qty = 0;
};

void read_meta(object meta, Meta &m) {
    for (auto field : meta) {
        simdjson::ondemand::raw_json_string key = field.key();
        if (key == "amount") {
            m.amount = field.value().get_double();
            m.has_amount = true;
        } else if (key == "items") {
            m.items = field.value().get_int64();
            m.has_items = true;
        } else if (key == "qty") {
            m.qty = field.value().get_int64();
            m.has_qty = true;
        } else if (key == "price") {
            m.price = field.value().get_double();
            m.has_price = true;
        }
    }
}

int kept_type(string_view type) {
    for (size_t i = 0; i < KEPT_TYPES.size(); i++) {
        if (KEPT_TYPES[i] == type) return static_cast<int>(i);
    }
    return -1;
}

// The whole pipeline over the padded bytes; throws simdjson_error or Malformed.
std::vector<User> aggregate(simdjson::ondemand::parser &parser, const simdjson::padded_string &json) {
    std::vector<User> users;
    std::unordered_map<string_view, size_t> index;
    simdjson::ondemand::document doc = parser.iterate(json);
    for (auto element : doc.get_array()) {
        object event = element.get_object();
        string_view user_id, type, page, ts;
        bool has_user = false, has_type = false, has_page = false, has_ts = false, has_meta = false;
        Meta meta;
        int type_ix = -1;
        for (auto field : event) {
            simdjson::ondemand::raw_json_string key = field.key();
            if (key == "user_id") {
                user_id = field.value().get_string();
                has_user = true;
            } else if (key == "type") {
                type = field.value().get_string();
                type_ix = kept_type(type);
                has_type = true;
            } else if (key == "page") {
                page = field.value().get_string();
                has_page = true;
            } else if (key == "ts") {
                ts = field.value().get_string();
                has_ts = true;
            } else if (key == "meta") {
                has_meta = true;
                // Read it when the type needs it, or is not known yet (keys may come in any order).
                if (!has_type || type_ix == PURCHASE || type_ix == ADD_TO_CART) {
                    read_meta(field.value().get_object(), meta);
                } else {
                    object skipped = field.value().get_object();  // still must be an object
                    (void)skipped;
                }
            }
        }
        if (!(has_user && has_type && has_page && has_ts && has_meta)) {
            throw Malformed("an event lacks one of user_id, type, page, ts, meta");
        }
        if (ts.size() != 20 || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T' || ts[19] != 'Z') {
            throw Malformed("timestamp not in YYYY-MM-DDTHH:MM:SSZ form: " + std::string(ts));
        }
        if (type_ix < 0 || ts < FROM || ts >= UNTIL) continue;
        auto [it, fresh] = index.try_emplace(user_id, users.size());
        if (fresh) {
            users.emplace_back();
            users.back().id = user_id;
            users.back().first_ts = ts;
            users.back().last_ts = ts;
        }
        User &u = users[it->second];
        u.events++;
        u.types.add(type_ix);
        u.pages.add(page);
        u.hours.add(two_digits(ts, 11));
        u.days.set((two_digits(ts, 5) - 1) * 31 + (two_digits(ts, 8) - 1));
        if (ts < u.first_ts) u.first_ts = ts;
        if (ts > u.last_ts) u.last_ts = ts;
        if (type_ix == PURCHASE) {
            if (!meta.has_amount || !meta.has_items) throw Malformed("a purchase without meta.amount and meta.items");
            u.purchases++;
            u.revenue += meta.amount;
            u.items += meta.items;
        } else if (type_ix == ADD_TO_CART) {
            if (!meta.has_qty || !meta.has_price) throw Malformed("an add_to_cart without meta.qty and meta.price");
            u.cart_value += static_cast<double>(meta.qty) * meta.price;
        }
    }
    // Past the closing bracket only whitespace may follow: the iterator is then at its end mark.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
        throw Malformed("trailing content after the events array");
    }
    return users;
}

PyObject *round_fn = nullptr;  // builtins.round: SPEC.md rounds as Python's round(x, 2) does

PyObject *str(string_view s) { return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "strict"); }

PyObject *rounded(double x) { return PyObject_CallFunction(round_fn, "di", x, 2); }

// Sets one key of `d` to a new reference, consuming it; false (with the Python error set) on failure.
bool put(PyObject *d, const char *key, PyObject *value) {
    if (value == nullptr) return false;
    int rc = PyDict_SetItemString(d, key, value);
    Py_DECREF(value);
    return rc == 0;
}

PyObject *user_dict(const User &u) {
    PyObject *d = PyDict_New();
    if (d == nullptr) return nullptr;
    bool ok = put(d, "events", PyLong_FromLongLong(u.events)) && put(d, "purchases", PyLong_FromLongLong(u.purchases)) &&
              put(d, "revenue", rounded(u.revenue)) && put(d, "cart_value", rounded(u.cart_value)) &&
              put(d, "items", PyLong_FromLongLong(u.items)) && put(d, "top_type", str(KEPT_TYPES[u.types.top()])) &&
              put(d, "top_page", str(u.pages.top())) && put(d, "peak_hour", PyLong_FromLong(u.hours.top())) &&
              put(d, "active_days", PyLong_FromSize_t(u.days.count())) && put(d, "first_ts", str(u.first_ts)) &&
              put(d, "last_ts", str(u.last_ts));
    if (!ok) {
        Py_DECREF(d);
        return nullptr;
    }
    return d;
}

PyObject *py_setup(PyObject *, PyObject *args) {
    long long n;
    const char *path;
    if (!PyArg_ParseTuple(args, "Ls", &n, &path)) return nullptr;
    std::ifstream f(path, std::ios::binary);
    if (!f) return PyErr_Format(PyExc_OSError, "cannot open %s", path);
    std::ostringstream bytes;
    bytes << f.rdbuf();
    std::string s = bytes.str();
    return PyBytes_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
}

PyObject *py_run(PyObject *, PyObject *arg) {
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) != 0) return nullptr;
    std::vector<User> users;
    std::string error;
    simdjson::ondemand::parser parser;
    simdjson::padded_string json;
    Py_BEGIN_ALLOW_THREADS;
    try {
        json = simdjson::padded_string(static_cast<const char *>(view.buf), static_cast<size_t>(view.len));
        users = aggregate(parser, json);
    } catch (const simdjson::simdjson_error &e) {
        error = std::string("malformed events: ") + e.what();
    } catch (const Malformed &e) {
        error = std::string("malformed events: ") + e.what();
    } catch (const std::bad_alloc &) {
        error = "out of memory";
    }
    Py_END_ALLOW_THREADS;
    PyBuffer_Release(&view);
    if (!error.empty()) {
        PyErr_SetString(error == "out of memory" ? PyExc_MemoryError : PyExc_ValueError, error.c_str());
        return nullptr;
    }
    PyObject *out = PyDict_New();
    if (out == nullptr) return nullptr;
    for (const User &u : users) {
        PyObject *key = str(u.id);
        PyObject *value = key ? user_dict(u) : nullptr;
        if (value == nullptr || PyDict_SetItem(out, key, value) != 0) {
            Py_XDECREF(key);
            Py_XDECREF(value);
            Py_DECREF(out);
            return nullptr;
        }
        Py_DECREF(key);
        Py_DECREF(value);
    }
    return out;
}

PyObject *py_ladder_info(PyObject *, PyObject *) {
    std::string version = "simdjson " + std::to_string(simdjson::SIMDJSON_VERSION_MAJOR) + "." +
                          std::to_string(simdjson::SIMDJSON_VERSION_MINOR) + "." + std::to_string(simdjson::SIMDJSON_VERSION_REVISION);
    return Py_BuildValue("{s:s,s:s,s:s}", "parser", version.c_str(), "simd",
                         simdjson::get_active_implementation()->name().c_str(), "api", "On-Demand");
}

PyMethodDef methods[] = {
    {"setup", py_setup, METH_VARARGS, "setup(n, data_path) -> the events file's bytes"},
    {"run", py_run, METH_O, "run(data) -> the per-user aggregates of SPEC.md"},
    {"ladder_info", py_ladder_info, METH_NOARGS, "simdjson's version and active SIMD kernel"},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef module = {PyModuleDef_HEAD_INIT, "simdjson_ext", "JSON pipeline over simdjson (On-Demand)", -1, methods};

}  // namespace

PyMODINIT_FUNC PyInit_simdjson_ext() {
    PyObject *builtins = PyImport_ImportModule("builtins");
    if (builtins == nullptr) return nullptr;
    round_fn = PyObject_GetAttrString(builtins, "round");
    Py_DECREF(builtins);
    if (round_fn == nullptr) return nullptr;
    return PyModule_Create(&module);
}
