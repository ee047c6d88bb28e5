//! The Python module `ladder_kernels`: argument checks, GIL release and conversions around the kernels.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};

use crate::pipeline::{self, Aggregator, InputError, Kind, Location, Output, Payload, UserSummary};
use crate::{
    SizeError, binary_trees as bt, fannkuch as fk, mandelbrot as mb, nbody as nb, simd, spectral,
};
use pyo3::types::PyBytes;

impl From<SizeError> for PyErr {
    fn from(e: SizeError) -> Self {
        PyValueError::new_err(e.0)
    }
}

impl From<InputError> for PyErr {
    fn from(e: InputError) -> Self {
        PyValueError::new_err(e.to_string())
    }
}

/// n-body: (energy before, energy after) `steps` steps of the Benchmarks Game simulation, its plain program (the
/// study tier).
#[pyfunction]
fn nbody(py: Python<'_>, steps: &Bound<'_, PyAny>) -> PyResult<(f64, f64)> {
    nbody_in(py, steps, nb::Mode::Plain)
}

/// n-body in the phases of catalog/nbody/EXPERT.md (the expert tier); the same bits as `nbody`.
#[pyfunction]
fn nbody_expert(py: Python<'_>, steps: &Bound<'_, PyAny>) -> PyResult<(f64, f64)> {
    nbody_in(py, steps, nb::Mode::Expert)
}

fn nbody_in(py: Python<'_>, steps: &Bound<'_, PyAny>, mode: nb::Mode) -> PyResult<(f64, f64)> {
    let steps = nb::checked_steps(int_arg(steps, "n-body steps must be an int >= 0")?)?;
    Ok(py.detach(|| nb::energies(steps, mode)))
}

/// fannkuch-redux: (checksum, maximum flips) over the permutations of 0..n-1.
#[pyfunction]
fn fannkuch_redux(py: Python<'_>, n: &Bound<'_, PyAny>) -> PyResult<(i64, u32)> {
    let what = format!(
        "fannkuch-redux n must be an int between 1 and {}",
        fk::MAX_N
    );
    let n = fk::checked_n(int_arg(n, &what)?)?;
    Ok(py.detach(|| fk::fannkuch(n)))
}

/// mandelbrot: the n x n bitmap as a P4 PBM file.
#[pyfunction]
fn mandelbrot<'py>(py: Python<'py>, n: &Bound<'_, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let what = format!("mandelbrot n must be an int between 1 and {}", mb::MAX_N);
    let n = mb::checked_n(int_arg(n, &what)?)?;
    let file = py.detach(|| mb::pbm(n));
    Ok(PyBytes::new(py, &file))
}

/// binary-trees: the Benchmarks Game program's output lines for depth n.
#[pyfunction]
fn binary_trees(py: Python<'_>, n: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let what = format!(
        "binary-trees depth must be an int between 0 and {}",
        bt::MAX_DEPTH
    );
    let n = bt::checked_depth(int_arg(n, &what)?)?;
    Ok(py.detach(|| bt::binary_trees(n)))
}

/// spectral-norm: (norm, vBv, vv) after the ten power iterations on the n × n matrix; explicit SIMD (the level
/// `simd_level()` names) and all of rayon's threads.
#[pyfunction]
fn spectral_norm(py: Python<'_>, n: &Bound<'_, PyAny>) -> PyResult<(f64, f64, f64)> {
    spectral_in(py, n, spectral::Mode::Fast)
}

/// spectral-norm as the Benchmarks Game's plain program (the study tier): one thread, A u then Aᵀ(A u) entry by
/// entry, a true division each.
#[pyfunction]
fn spectral_norm_plain(py: Python<'_>, n: &Bound<'_, PyAny>) -> PyResult<(f64, f64, f64)> {
    spectral_in(py, n, spectral::Mode::Plain)
}

/// How many threads `spectral_norm(n)` splits its work over (one below a size where the split does not pay).
#[pyfunction]
fn spectral_threads(n: &Bound<'_, PyAny>) -> PyResult<usize> {
    let what = format!("spectral-norm n must be between 1 and {}", spectral::MAX_N);
    Ok(spectral::threads(spectral::checked_n(int_arg(n, &what)?)?))
}

fn spectral_in(
    py: Python<'_>,
    n: &Bound<'_, PyAny>,
    mode: spectral::Mode,
) -> PyResult<(f64, f64, f64)> {
    let what = format!("spectral-norm n must be between 1 and {}", spectral::MAX_N);
    let n = spectral::checked_n(int_arg(n, &what)?)?;
    let r = py.detach(|| spectral::spectral_norm(n, mode));
    Ok((r.norm, r.vbv, r.vv))
}

/// A size argument: any Python int that fits 64 bits; anything else (a float, a str, an int beyond 64 bits,
/// which PyO3 would report as OverflowError) is a ValueError saying what was expected.
fn int_arg(value: &Bound<'_, PyAny>, expected: &str) -> PyResult<i64> {
    if !value.is_instance_of::<pyo3::types::PyInt>() {
        return Err(PyValueError::new_err(format!("{expected}, got {value:?}")));
    }
    value
        .extract::<i64>()
        .map_err(|_| PyValueError::new_err(format!("{expected}, got {value}")))
}

/// The vector width of `nbody_expert`'s pair phase here: "avx (...)" or "sse2 (...)".
#[pyfunction]
fn nbody_simd_level() -> &'static str {
    nb::simd_level()
}

/// The SIMD level the fast kernels use on this CPU: "avx512f", "avx2+fma" or "none (portable)".
#[pyfunction]
fn simd_level() -> &'static str {
    simd::detected().name()
}

/// The explicit SIMD `json_pipeline` uses here (`json_pipeline_serde` uses none): "sse2 (string scan)" on
/// x86-64, else "none (portable)".
#[pyfunction]
fn pipeline_simd_level() -> &'static str {
    pipeline::json::simd_level(pipeline::Mode::Fast)
}

/// What spectral-norm's fast path does with floating point here (ladder's `--fair` turns the reciprocal
/// estimates and FMAs off).
#[pyfunction]
fn spectral_fp_rules() -> &'static str {
    spectral::fp_rules()
}

/// How many threads the parallel kernels share their work out to: the size of rayon's pool
/// (`RAYON_NUM_THREADS`, else one per CPU), which the pipeline's own threads follow too.
#[pyfunction]
fn threads() -> usize {
    pipeline::Mode::Fast.threads()
}

/// json-pipeline: parse the raw bytes of an events file and aggregate per user (see SPEC.md), reading a slice
/// of the input on each of `threads()` threads. Raises ValueError, with the byte offset, for input that is not
/// JSON or not the events schema.
#[pyfunction]
fn json_pipeline<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyDict>> {
    let mode = pipeline::Mode::Fast;
    // `data` borrows an immutable bytes object the caller keeps alive, so it may be read without the GIL. Once
    // this thread has read the first slice, it takes the GIL back to make the dicts of that slice's users (the
    // first users of the output, in its order) while the other threads still read.
    let (output, early) = py.detach(|| {
        pipeline::json::run_early(data, mode, |user_ids| {
            Python::attach(|py| Early::make(py, user_ids))
        })
    })?;
    to_python(py, &output, mode.threads(), early.transpose()?)
}

/// json-pipeline as the study read it (the study tier): serde_json into borrowed structs, one thread. Raises
/// ValueError for the inputs `json_pipeline` refuses.
#[pyfunction]
fn json_pipeline_serde<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyDict>> {
    let output = py.detach(|| pipeline::study::run(data))?;
    to_python(py, &output, 1, None)
}

/// json-pipeline-dicts: the same pipeline over a list of already-parsed event dicts. Raises ValueError, with
/// the event's index, for events that do not fit the schema.
#[pyfunction]
fn json_pipeline_dicts<'py>(
    py: Python<'py>,
    events: &Bound<'py, PyList>,
) -> PyResult<Bound<'py, PyDict>> {
    let k = Keys::get(py);
    let mut aggregator = Aggregator::new();
    for (index, event) in events.iter().enumerate() {
        let event = Fields {
            dict: event
                .cast_into::<PyDict>()
                .map_err(|_| fail(index, "not a dict"))?,
            index,
            within: "",
        };
        let kind = event.text(&k.kind)?;
        let ts = event.text(&k.ts)?;
        let kept = pipeline::keep(kind.to_str()?, ts.to_str()?).map_err(|m| fail(index, m))?;
        let Some((kind, ts)) = kept else {
            continue;
        };
        let user_id = event.text(&k.user_id)?;
        let page = event.text(&k.page)?;
        let payload = match kind {
            Kind::Purchase | Kind::AddToCart => {
                let meta = Fields {
                    dict: event
                        .get(&k.meta)?
                        .cast_into::<PyDict>()
                        .map_err(|_| fail(index, "'meta' is not a dict"))?,
                    index,
                    within: "'meta' ",
                };
                if kind == Kind::Purchase {
                    Payload::Purchase {
                        amount: meta.float(&k.amount)?,
                        items: meta.int(&k.items)?,
                    }
                } else {
                    Payload::AddToCart {
                        qty: meta.int(&k.qty)?,
                        price: meta.float(&k.price)?,
                    }
                }
            }
            Kind::PageView | Kind::Click | Kind::Search => Payload::None,
        };
        aggregator
            .add(user_id.to_str()?, kind, page.to_str()?, ts, payload)
            .map_err(|m| fail(index, m))?;
    }
    to_python(
        py,
        &aggregator.finish(),
        pipeline::Mode::Fast.threads(),
        None,
    )
}

fn fail(index: usize, message: impl Into<String>) -> PyErr {
    InputError {
        location: Location::Event(index),
        message: message.into(),
    }
    .into()
}

/// Typed access to the fields of event `index` (or of its `meta`), with schema errors as ValueError.
struct Fields<'py> {
    dict: Bound<'py, PyDict>,
    index: usize,
    /// Names the dict in messages: "" for the event, "'meta' " for its meta.
    within: &'static str,
}

impl<'py> Fields<'py> {
    fn get(&self, key: &Py<PyString>) -> PyResult<Bound<'py, PyAny>> {
        let key = key.bind(self.dict.py());
        self.dict.get_item(key)?.ok_or_else(|| {
            let within = self.within;
            fail(self.index, format!("{within}has no key '{key}'"))
        })
    }

    fn text(&self, key: &Py<PyString>) -> PyResult<Bound<'py, PyString>> {
        self.get(key)?.cast_into::<PyString>().map_err(|_| {
            let (within, key) = (self.within, key.bind(self.dict.py()));
            fail(self.index, format!("{within}'{key}' is not a str"))
        })
    }

    fn float(&self, key: &Py<PyString>) -> PyResult<f64> {
        self.get(key)?.extract::<f64>().map_err(|_| {
            let (within, key) = (self.within, key.bind(self.dict.py()));
            fail(self.index, format!("{within}'{key}' is not a number"))
        })
    }

    fn int(&self, key: &Py<PyString>) -> PyResult<i64> {
        self.get(key)?.extract::<i64>().map_err(|_| {
            let (within, key) = (self.within, key.bind(self.dict.py()));
            fail(self.index, format!("{within}'{key}' is not a 64-bit int"))
        })
    }
}

/// The interned key strings, made once per interpreter.
struct Keys {
    kind: Py<PyString>,
    ts: Py<PyString>,
    user_id: Py<PyString>,
    page: Py<PyString>,
    meta: Py<PyString>,
    amount: Py<PyString>,
    items: Py<PyString>,
    qty: Py<PyString>,
    price: Py<PyString>,
    // output keys
    events: Py<PyString>,
    purchases: Py<PyString>,
    revenue: Py<PyString>,
    cart_value: Py<PyString>,
    top_type: Py<PyString>,
    top_page: Py<PyString>,
    peak_hour: Py<PyString>,
    active_days: Py<PyString>,
    first_ts: Py<PyString>,
    last_ts: Py<PyString>,
    /// The kept type names, shared by every output dict.
    types: Vec<Py<PyString>>,
}

impl Keys {
    fn get(py: Python<'_>) -> &Keys {
        static KEYS: PyOnceLock<Keys> = PyOnceLock::new();
        KEYS.get_or_init(py, || {
            let s = |text: &str| PyString::intern(py, text).unbind();
            Keys {
                kind: s("type"),
                ts: s("ts"),
                user_id: s("user_id"),
                page: s("page"),
                meta: s("meta"),
                amount: s("amount"),
                items: s("items"),
                qty: s("qty"),
                price: s("price"),
                events: s("events"),
                purchases: s("purchases"),
                revenue: s("revenue"),
                cart_value: s("cart_value"),
                top_type: s("top_type"),
                top_page: s("top_page"),
                peak_hour: s("peak_hour"),
                active_days: s("active_days"),
                first_ts: s("first_ts"),
                last_ts: s("last_ts"),
                types: pipeline::KEPT_TYPES.iter().map(|t| s(t)).collect(),
            }
        })
    }
}

/// The output as SPEC.md has it: {user_id: {key: value}}, in order of each user's first kept event, starting
/// from the dicts made `early` if any. With more than one thread the users are merged from the slices (see
/// `Aggregator::absorb`) and summarised (tallies' tops, roundings, day counts) on another thread, in runs handed
/// over as they are done, while this one fills their dicts: for the default events file that is ~1.8 ms of work
/// against ~2.5 ms for the dicts, and needs no GIL, so it stays ahead and adds no time of its own.
fn to_python<'py>(
    py: Python<'py>,
    output: &Output,
    threads: usize,
    early: Option<Early>,
) -> PyResult<Bound<'py, PyDict>> {
    /// Users per run handed over.
    const RUN: usize = 256;
    let dicts = Dicts::new(py, output, early)?;
    let summarise_here = || -> PyResult<()> {
        for (i, u) in output.users().enumerate() {
            dicts.add(i, &u)?;
        }
        Ok(())
    };
    if threads < 2 || output.len() < 2 * RUN {
        summarise_here()?;
        return Ok(dicts.result);
    }
    std::thread::scope(|scope| {
        let (runs, received) = std::sync::mpsc::channel();
        let summarising = std::thread::Builder::new().spawn_scoped(scope, move || {
            let mut users = output.users();
            loop {
                let run: Vec<_> = users.by_ref().take(RUN).collect();
                // a closed channel means the dicts failed: nothing more to do
                if run.is_empty() || runs.send(run).is_err() {
                    break;
                }
            }
        });
        if summarising.is_err() {
            // no thread to be had
            summarise_here()?;
        }
        for (i, u) in received.into_iter().flatten().enumerate() {
            dicts.add(i, &u)?;
        }
        Ok::<_, PyErr>(())
    })?;
    Ok(dicts.result)
}

/// The output dict begun before the merge: the first slice's users entered under their ids, their dicts with
/// every key and no values yet, copied from `template`, which the later users' dicts are copied from too.
struct Early {
    result: Py<PyDict>,
    template: Py<PyDict>,
    dicts: Vec<Py<PyDict>>,
}

impl Early {
    fn make(py: Python<'_>, user_ids: &[Box<str>]) -> PyResult<Self> {
        let template = template(py)?;
        let result = PyDict::new(py);
        let dicts = user_ids
            .iter()
            .map(|id| {
                let d = template.copy()?;
                result.set_item(&**id, &d)?;
                Ok(d.unbind())
            })
            .collect::<PyResult<_>>()?;
        Ok(Self {
            result: result.unbind(),
            template: template.unbind(),
            dicts,
        })
    }
}

/// A dict with every key of a user's dict (their values None): each user's dict is a copy, because CPython copies
/// the key table as is, so no dict grows key by key and each set_item replaces a value in place.
fn template(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let k = Keys::get(py);
    let template = PyDict::new(py);
    for key in [
        &k.events,
        &k.purchases,
        &k.revenue,
        &k.cart_value,
        &k.items,
        &k.top_type,
        &k.top_page,
        &k.peak_hour,
        &k.active_days,
        &k.first_ts,
        &k.last_ts,
    ] {
        template.set_item(key.bind(py), py.None())?;
    }
    Ok(template)
}

/// The output dict being filled, and what every user's dict shares.
struct Dicts<'py> {
    result: Bound<'py, PyDict>,
    /// The dicts of the first users, made early (see [`Early`]).
    early: Vec<Py<PyDict>>,
    template: Bound<'py, PyDict>,
    pages: Vec<Bound<'py, PyString>>,
    keys: &'py Keys,
}

impl<'py> Dicts<'py> {
    fn new(py: Python<'py>, output: &Output, early: Option<Early>) -> PyResult<Self> {
        let (result, template, early) = match early {
            Some(Early {
                result,
                template,
                dicts,
            }) => (result.into_bound(py), template.into_bound(py), dicts),
            None => (PyDict::new(py), template(py)?, Vec::new()),
        };
        let pages = output
            .page_names()
            .iter()
            .map(|name| PyString::new(py, name))
            .collect();
        Ok(Self {
            result,
            early,
            template,
            pages,
            keys: Keys::get(py),
        })
    }

    /// Fills the dict of the output's `i`-th user, made early or made now.
    fn add(&self, i: usize, u: &UserSummary<'_>) -> PyResult<()> {
        let (py, k) = (self.result.py(), self.keys);
        let made;
        let d = match self.early.get(i) {
            Some(d) => d.bind(py),
            None => {
                made = self.template.copy()?;
                self.result.set_item(u.user_id, &made)?;
                &made
            }
        };
        d.set_item(k.events.bind(py), u.events)?;
        d.set_item(k.purchases.bind(py), u.purchases)?;
        d.set_item(k.revenue.bind(py), u.revenue)?;
        d.set_item(k.cart_value.bind(py), u.cart_value)?;
        d.set_item(k.items.bind(py), u.items)?;
        d.set_item(k.top_type.bind(py), k.types[u.top_type as usize].bind(py))?;
        d.set_item(k.top_page.bind(py), &self.pages[u.top_page_id as usize])?;
        d.set_item(k.peak_hour.bind(py), u.peak_hour)?;
        d.set_item(k.active_days.bind(py), u.active_days)?;
        d.set_item(k.first_ts.bind(py), u.first_ts.text().as_str())?;
        d.set_item(k.last_ts.bind(py), u.last_ts.text().as_str())
    }
}

/// The Rust rung of the optimization ladder: every benchmark of the catalog that the `rust` rung expresses.
#[pymodule(name = "ladder_kernels")]
mod module {
    #[pymodule_export]
    use super::{
        binary_trees, fannkuch_redux, json_pipeline, json_pipeline_dicts, json_pipeline_serde,
        mandelbrot, nbody, nbody_expert, nbody_simd_level, pipeline_simd_level, simd_level,
        spectral_fp_rules, spectral_norm, spectral_norm_plain, spectral_threads, threads,
    };
}
