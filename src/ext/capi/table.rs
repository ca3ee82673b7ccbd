//! Table functions: the [`TableFunction`] trait, typed views of the info objects DuckDB passes,
//! and the generic `extern "C"` trampolines that connect the two.
//!
//! DuckDB calls `bind` once per query (columns, parameters), `init` once per scan (global state
//! shared by the threads), `local_init` once per thread and `scan` repeatedly on each thread
//! until it returns 0 rows. The function value itself is registered as the function's extra
//! info, so one implementation can serve several registrations (read_cloudfront and
//! read_cloudfront_rejects are one type with a mode). Every trampoline contains errors and
//! panics (`error::contain`).

use std::ffi::c_void;
use std::fmt;

use libduckdb_sys as ffi;

use super::connection::Connection;
use super::context::ClientContext;
use super::error::{contain, Error, Sink};
use super::types::{Param, Type};
use super::value::Value;
use super::vector::OutputChunk;
use super::{cstring, drop_box};

/// A table function implemented in Rust.
pub trait TableFunction: Send + Sync + Sized + 'static {
    /// What bind learns (columns, options, inputs): shared by every thread of the scan.
    type Bind: Send + Sync + 'static;
    /// State shared by the threads of one scan (work queue).
    type Global: Send + Sync + 'static;
    /// State of one scanning thread.
    type Local: Send + 'static;
    type Error: fmt::Display;

    /// The name and parameters it is registered with.
    fn signature(&self) -> &Signature;
    /// Reads the parameters and declares the result columns.
    fn bind(&self, info: &mut BindInfo<'_>) -> Result<Self::Bind, Self::Error>;
    /// Sets up one scan: which columns the query reads, how many threads may scan.
    fn init(&self, info: &mut InitInfo<'_>, bind: &Self::Bind) -> Result<Self::Global, Self::Error>;
    /// Sets up one scanning thread.
    fn local_init(&self, info: &mut InitInfo<'_>, bind: &Self::Bind) -> Result<Self::Local, Self::Error>;
    /// Fills `output` with the next rows and returns how many; 0 ends this thread's scan.
    fn scan(
        &self,
        bind: &Self::Bind,
        global: &Self::Global,
        local: &mut Self::Local,
        output: &mut OutputChunk<'_>,
    ) -> Result<usize, Self::Error>;
}

/// A table function's name and parameters (positional, then named).
#[derive(Clone, Copy, Debug)]
pub struct Signature {
    pub name: &'static str,
    pub parameters: &'static [Param],
    pub named: &'static [Param],
}

impl Signature {
    /// `name(p TYPE, ..., n := default, ...)`, for the documentation.
    pub fn text(&self) -> String {
        let mut parts: Vec<String> = self.parameters.iter().map(|p| format!("{} {}", p.name, p.type_text())).collect();
        parts.extend(self.named.iter().map(|p| format!("{} := {}", p.name, p.default.unwrap_or("NULL"))));
        format!("{}({})", self.name, parts.join(", "))
    }
}

/// What bind can see and declare.
pub struct BindInfo<'a> {
    raw: ffi::duckdb_bind_info,
    _info: std::marker::PhantomData<&'a mut ()>,
}

impl BindInfo<'_> {
    /// Positional parameter `i` (as registered).
    pub fn parameter(&self, i: usize) -> Value {
        // SAFETY: a live bind info; the value returned is ours. DuckDB checks the index against
        // the registered parameters (and returns null past them, which reads as NULL).
        unsafe { Value::from_owned(ffi::duckdb_bind_get_parameter(self.raw, i as u64)) }
    }

    /// Named parameter `name`, None when the query does not give it (or gives NULL).
    pub fn named(&self, name: &str) -> Option<Value> {
        let c = cstring(name);
        // SAFETY: a live bind info; the value returned is ours.
        let v = unsafe { Value::from_owned(ffi::duckdb_bind_get_named_parameter(self.raw, c.as_ptr())) };
        (!v.is_null()).then_some(v)
    }

    /// Declares the next result column.
    pub fn add_column(&mut self, name: &str, ty: &Type) {
        let c = cstring(name);
        let t = ty.logical();
        // SAFETY: a live bind info; name and type are copied.
        unsafe { ffi::duckdb_bind_add_result_column(self.raw, c.as_ptr(), t.raw()) }
    }

    /// The estimated (or, with `exact`, known) number of rows, for DuckDB's planner.
    pub fn set_cardinality(&mut self, rows: u64, exact: bool) {
        // SAFETY: a live bind info.
        unsafe { ffi::duckdb_bind_set_cardinality(self.raw, rows, exact) }
    }

    /// The client context of the query (settings, file system), owned by the caller.
    pub fn client_context(&self) -> Option<ClientContext> {
        let mut ctx: ffi::duckdb_client_context = std::ptr::null_mut();
        // SAFETY: a live bind info; the context returned is ours to destroy.
        unsafe {
            ffi::duckdb_table_function_get_client_context(self.raw, &mut ctx);
            ClientContext::from_owned(ctx)
        }
    }
}

/// What `init` and `local_init` can see and declare.
pub struct InitInfo<'a> {
    raw: ffi::duckdb_init_info,
    _info: std::marker::PhantomData<&'a mut ()>,
}

impl InitInfo<'_> {
    /// The result columns the query reads, by their index in bind's declaration order, in the
    /// order of the output chunk's vectors (projection pushdown). An index past the declared
    /// columns is a column DuckDB adds (a row id).
    pub fn projected_columns(&self) -> Vec<usize> {
        // SAFETY: a live init info; indices below the count are valid.
        unsafe {
            let n = ffi::duckdb_init_get_column_count(self.raw);
            (0..n).map(|i| ffi::duckdb_init_get_column_index(self.raw, i) as usize).collect()
        }
    }

    /// How many threads may scan at once.
    pub fn set_max_threads(&mut self, threads: u64) {
        // SAFETY: a live init info.
        unsafe { ffi::duckdb_init_set_max_threads(self.raw, threads) }
    }
}

/// The registered function value (extra info) of a callback.
///
/// # Safety
/// `extra` must be the pointer registered by `register_table::<T>`.
unsafe fn function<'a, T>(extra: *mut c_void) -> &'a T {
    &*(extra as *const T)
}

unsafe extern "C" fn bind_trampoline<T: TableFunction>(info: ffi::duckdb_bind_info) {
    contain(Sink::Bind(info), || {
        // SAFETY: DuckDB passes the live bind info of a function registered by register_table.
        let f: &T = unsafe { function(ffi::duckdb_bind_get_extra_info(info)) };
        let mut view = BindInfo { raw: info, _info: std::marker::PhantomData };
        let data = f.bind(&mut view)?;
        // SAFETY: DuckDB owns the box from here and frees it with drop_box::<T::Bind>.
        unsafe { ffi::duckdb_bind_set_bind_data(info, Box::into_raw(Box::new(data)) as *mut c_void, Some(drop_box::<T::Bind>)) };
        Ok::<(), T::Error>(())
    });
}

unsafe extern "C" fn init_trampoline<T: TableFunction>(info: ffi::duckdb_init_info) {
    contain(Sink::Init(info), || {
        // SAFETY: the live init info of a function registered by register_table::<T>, whose
        // bind data bind_trampoline::<T> set.
        let (f, bind): (&T, &T::Bind) =
            unsafe { (function(ffi::duckdb_init_get_extra_info(info)), &*(ffi::duckdb_init_get_bind_data(info) as *const T::Bind)) };
        let mut view = InitInfo { raw: info, _info: std::marker::PhantomData };
        let state = f.init(&mut view, bind)?;
        // SAFETY: DuckDB owns the box from here and frees it with drop_box::<T::Global>.
        unsafe { ffi::duckdb_init_set_init_data(info, Box::into_raw(Box::new(state)) as *mut c_void, Some(drop_box::<T::Global>)) };
        Ok::<(), T::Error>(())
    });
}

unsafe extern "C" fn local_init_trampoline<T: TableFunction>(info: ffi::duckdb_init_info) {
    contain(Sink::Init(info), || {
        // SAFETY: as in init_trampoline.
        let (f, bind): (&T, &T::Bind) =
            unsafe { (function(ffi::duckdb_init_get_extra_info(info)), &*(ffi::duckdb_init_get_bind_data(info) as *const T::Bind)) };
        let mut view = InitInfo { raw: info, _info: std::marker::PhantomData };
        let state = f.local_init(&mut view, bind)?;
        // SAFETY: DuckDB owns the box from here and frees it with drop_box::<T::Local>.
        unsafe { ffi::duckdb_init_set_init_data(info, Box::into_raw(Box::new(state)) as *mut c_void, Some(drop_box::<T::Local>)) };
        Ok::<(), T::Error>(())
    });
}

unsafe extern "C" fn scan_trampoline<T: TableFunction>(info: ffi::duckdb_function_info, output: ffi::duckdb_data_chunk) {
    contain(Sink::Scan(info, output), || {
        // SAFETY: the live function info of a function registered by register_table::<T>: its
        // bind, global and local data were set by the trampolines above; the local data belongs
        // to this thread alone, so it is borrowed mutably.
        let (f, bind, global, local): (&T, &T::Bind, &T::Global, &mut T::Local) = unsafe {
            (
                function(ffi::duckdb_function_get_extra_info(info)),
                &*(ffi::duckdb_function_get_bind_data(info) as *const T::Bind),
                &*(ffi::duckdb_function_get_init_data(info) as *const T::Global),
                &mut *(ffi::duckdb_function_get_local_init_data(info) as *mut T::Local),
            )
        };
        // SAFETY: the live output chunk of this scan call.
        let mut chunk = unsafe { OutputChunk::from_raw(output) };
        let rows = f.scan(bind, global, local, &mut chunk)?;
        chunk.set_size(rows);
        Ok::<(), T::Error>(())
    });
}

/// Registers `function` on `con`, with projection pushdown and per-thread local state.
pub fn register_table<T: TableFunction>(con: &Connection, function: T) -> Result<(), Error> {
    let sig = *function.signature();
    let name = cstring(sig.name);
    // SAFETY: a table function object we create, configure and destroy here; DuckDB copies what
    // it keeps and takes ownership of the extra info (freed with drop_box::<T>).
    unsafe {
        let mut f = ffi::duckdb_create_table_function();
        ffi::duckdb_table_function_set_name(f, name.as_ptr());
        for p in sig.parameters {
            let t = p.ty.logical();
            ffi::duckdb_table_function_add_parameter(f, t.raw());
        }
        for p in sig.named {
            let c = cstring(p.name);
            let t = p.ty.logical();
            ffi::duckdb_table_function_add_named_parameter(f, c.as_ptr(), t.raw());
        }
        ffi::duckdb_table_function_set_extra_info(f, Box::into_raw(Box::new(function)) as *mut c_void, Some(drop_box::<T>));
        ffi::duckdb_table_function_set_bind(f, Some(bind_trampoline::<T>));
        ffi::duckdb_table_function_set_init(f, Some(init_trampoline::<T>));
        ffi::duckdb_table_function_set_local_init(f, Some(local_init_trampoline::<T>));
        ffi::duckdb_table_function_set_function(f, Some(scan_trampoline::<T>));
        ffi::duckdb_table_function_supports_projection_pushdown(f, true);
        let state = ffi::duckdb_register_table_function(con.raw(), f);
        ffi::duckdb_destroy_table_function(&mut f);
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(Error::Register(sig.name.to_string()));
        }
    }
    Ok(())
}
