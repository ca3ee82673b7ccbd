//! Registration of vectorised scalar functions through the C API.
//!
//! A scalar is a name plus overloads; each overload is a plain Rust `Kernel` over whole
//! (flattened) DuckDB vectors, so the per-row work is a loop in Rust with no FFI call except
//! for string results. Panics and errors inside a kernel become SQL errors.

use std::ffi::c_void;

use libduckdb_sys as ffi;

use super::capi::{cstring, drop_box, guard, InVector, LogicalType, OutVector};

/// One call of a scalar over a chunk: inputs (one per parameter), row count, output.
pub type Kernel = fn(args: &[InVector], rows: usize, out: &mut OutVector) -> Result<(), String>;

/// What a scalar gives when an argument is NULL. Every registration states it, because DuckDB
/// acts on it: with the default handling it replaces a call by NULL whenever it can prove an
/// argument NULL (a NULL constant, or a column whose statistics say it holds only NULLs) and
/// never runs the kernel, so a kernel that answers for NULL input registered that way gives
/// answers that depend on the query plan (a table of logs without a field found nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullInput {
    /// NULL in any argument gives NULL (DuckDB's default; it may skip the call).
    GivesNull,
    /// The kernel decides what NULL arguments give, row by row (DuckDB always calls it).
    Answered,
}

/// One overload: parameter types, return type, kernel.
pub struct Overload {
    pub params: Vec<LogicalType>,
    pub returns: LogicalType,
    pub kernel: Kernel,
}

impl Overload {
    pub fn new(params: Vec<LogicalType>, returns: LogicalType, kernel: Kernel) -> Self {
        Self { params, returns, kernel }
    }
}

/// A scalar function to register: its name, its NULL contract and its overloads.
pub struct Scalar {
    pub name: &'static str,
    pub null_input: NullInput,
    pub overloads: Vec<Overload>,
}

unsafe extern "C" fn trampoline(info: ffi::duckdb_function_info, input: ffi::duckdb_data_chunk, output: ffi::duckdb_vector) {
    let report = |msg: &str| {
        let c = cstring(msg);
        ffi::duckdb_scalar_function_set_error(info, c.as_ptr());
    };
    guard(report, || {
        let kernel = *(ffi::duckdb_scalar_function_get_extra_info(info) as *const Kernel);
        let rows = ffi::duckdb_data_chunk_get_size(input) as usize;
        let ncols = ffi::duckdb_data_chunk_get_column_count(input) as usize;
        let mut args = [InVector::empty(); 4];
        if ncols > args.len() {
            return Err("cloudfront: too many arguments".into());
        }
        for (i, arg) in args.iter_mut().enumerate().take(ncols) {
            *arg = InVector::new(ffi::duckdb_data_chunk_get_vector(input, i as u64));
        }
        let mut out = OutVector::new(output);
        kernel(&args[..ncols], rows, &mut out)
    });
}

/// Registers a scalar with all its overloads as one function set.
pub fn register(con: ffi::duckdb_connection, scalar: Scalar) -> Result<(), String> {
    let Scalar { name, null_input, overloads } = scalar;
    unsafe {
        let cname = cstring(name);
        let mut set = ffi::duckdb_create_scalar_function_set(cname.as_ptr());
        for o in &overloads {
            let mut f = ffi::duckdb_create_scalar_function();
            ffi::duckdb_scalar_function_set_name(f, cname.as_ptr());
            for p in &o.params {
                ffi::duckdb_scalar_function_add_parameter(f, p.0);
            }
            ffi::duckdb_scalar_function_set_return_type(f, o.returns.0);
            if null_input == NullInput::Answered {
                ffi::duckdb_scalar_function_set_special_handling(f);
            }
            ffi::duckdb_scalar_function_set_function(f, Some(trampoline));
            let boxed: Box<Kernel> = Box::new(o.kernel);
            ffi::duckdb_scalar_function_set_extra_info(f, Box::into_raw(boxed) as *mut c_void, Some(drop_box::<Kernel>));
            let state = ffi::duckdb_add_scalar_function_to_set(set, f);
            ffi::duckdb_destroy_scalar_function(&mut f);
            if state != ffi::duckdb_state_DuckDBSuccess {
                ffi::duckdb_destroy_scalar_function_set(&mut set);
                return Err(format!("could not add an overload of {name}"));
            }
        }
        let state = ffi::duckdb_register_scalar_function_set(con, set);
        ffi::duckdb_destroy_scalar_function_set(&mut set);
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(format!("could not register scalar function {name}"));
        }
    }
    Ok(())
}
