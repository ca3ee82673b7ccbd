//! Small safe-ish wrappers over DuckDB's C API (through `libduckdb-sys`).
//!
//! The `duckdb` crate's `VTab`/`VScalar` traits hide the parts of the C API this extension
//! needs (local init state for parallel scans, projection pushdown, LIST named parameters,
//! the client context's file system, per-row NULL handling on flattened vectors), so the
//! DuckDB layer talks to the C API directly through these helpers. Everything here is about
//! memory layout and ownership; no CloudFront knowledge lives in this module.

use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use libduckdb_sys as ffi;

/// Owned `duckdb_logical_type`, destroyed on drop.
pub struct LogicalType(pub ffi::duckdb_logical_type);

impl LogicalType {
    pub fn new(id: ffi::DUCKDB_TYPE) -> Self {
        Self(unsafe { ffi::duckdb_create_logical_type(id) })
    }
    pub fn varchar() -> Self {
        Self::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR)
    }
    pub fn boolean() -> Self {
        Self::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN)
    }
    pub fn integer() -> Self {
        Self::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_INTEGER)
    }
    pub fn bigint() -> Self {
        Self::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BIGINT)
    }
    pub fn double() -> Self {
        Self::new(ffi::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE)
    }
    pub fn list(child: &LogicalType) -> Self {
        Self(unsafe { ffi::duckdb_create_list_type(child.0) })
    }
    /// A STRUCT with the given member names and types.
    pub fn structure(members: &[(&str, LogicalType)]) -> Self {
        let names: Vec<CString> = members.iter().map(|(n, _)| cstring(n)).collect();
        let mut name_ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
        let mut types: Vec<ffi::duckdb_logical_type> = members.iter().map(|(_, t)| t.0).collect();
        Self(unsafe { ffi::duckdb_create_struct_type(types.as_mut_ptr(), name_ptrs.as_mut_ptr(), members.len() as u64) })
    }
}

impl Drop for LogicalType {
    fn drop(&mut self) {
        unsafe { ffi::duckdb_destroy_logical_type(&mut self.0) }
    }
}

/// A C string for the C API; interior NULs (never present in our own names) are replaced.
pub fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', " ")).unwrap_or_default()
}

/// Runs a callback body so that neither a Rust panic nor an error crosses the FFI boundary:
/// both become the message handed to `report` (which sets a DuckDB error on the info object).
pub fn guard(report: impl FnOnce(&str), body: impl FnOnce() -> Result<(), String>) {
    let outcome = catch_unwind(AssertUnwindSafe(body));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(message)) => report(&message),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            report(&format!("cloudfront: internal error (please report): {what}"));
        }
    }
}

/// Reads the bytes of a `duckdb_string_t` (inlined when 12 bytes or shorter).
///
/// # Safety
/// `s` must point at a valid `duckdb_string_t` whose data outlives the returned slice.
#[inline]
pub unsafe fn string_bytes<'a>(s: *const ffi::duckdb_string_t) -> &'a [u8] {
    let len = (*s).value.inlined.length as usize;
    if len <= 12 {
        std::slice::from_raw_parts((*s).value.inlined.inlined.as_ptr() as *const u8, len)
    } else {
        std::slice::from_raw_parts((*s).value.pointer.ptr as *const u8, len)
    }
}

/// Read access to one flat input vector (the C API flattens scalar-function inputs).
#[derive(Clone, Copy)]
pub struct InVector {
    data: *const c_void,
    validity: *const u64,
}

impl InVector {
    /// A placeholder that is never read (fills unused argument slots).
    pub const fn empty() -> Self {
        Self { data: std::ptr::null(), validity: std::ptr::null() }
    }
    /// # Safety
    /// `v` must be a valid flat vector for the duration of use.
    pub unsafe fn new(v: ffi::duckdb_vector) -> Self {
        Self { data: ffi::duckdb_vector_get_data(v), validity: ffi::duckdb_vector_get_validity(v) }
    }
    #[inline]
    pub fn is_valid(&self, row: usize) -> bool {
        self.validity.is_null() || unsafe { (*self.validity.add(row / 64) >> (row % 64)) & 1 == 1 }
    }
    /// VARCHAR value of `row`, None for NULL.
    #[inline]
    pub fn str(&self, row: usize) -> Option<&[u8]> {
        if !self.is_valid(row) {
            return None;
        }
        Some(unsafe { string_bytes((self.data as *const ffi::duckdb_string_t).add(row)) })
    }
    #[inline]
    pub fn i32(&self, row: usize) -> Option<i32> {
        self.is_valid(row).then(|| unsafe { *(self.data as *const i32).add(row) })
    }
    #[inline]
    pub fn i64(&self, row: usize) -> Option<i64> {
        self.is_valid(row).then(|| unsafe { *(self.data as *const i64).add(row) })
    }
}

/// Write access to an output vector of a known type.
pub struct OutVector {
    pub vector: ffi::duckdb_vector,
    data: *mut c_void,
    validity: *mut u64,
}

impl OutVector {
    /// # Safety
    /// `v` must be a valid writable vector with room for every row written.
    pub unsafe fn new(v: ffi::duckdb_vector) -> Self {
        Self { vector: v, data: ffi::duckdb_vector_get_data(v), validity: std::ptr::null_mut() }
    }
    #[inline]
    pub fn set_null(&mut self, row: usize) {
        unsafe {
            if self.validity.is_null() {
                ffi::duckdb_vector_ensure_validity_writable(self.vector);
                self.validity = ffi::duckdb_vector_get_validity(self.vector);
            }
            *self.validity.add(row / 64) &= !(1u64 << (row % 64));
        }
    }
    /// Undoes an earlier `set_null` of a row that is being rewritten (skipped bad lines reuse
    /// their row slot).
    #[inline]
    fn mark_valid(&mut self, row: usize) {
        if !self.validity.is_null() {
            unsafe { *self.validity.add(row / 64) |= 1u64 << (row % 64) }
        }
    }
    /// Writes a VARCHAR. Strings of up to 12 bytes are stored inline in the 16-byte
    /// `string_t` itself (DuckDB's layout: length, then the bytes zero-padded), which needs no
    /// heap and no FFI call; longer ones are copied into the vector's heap by DuckDB.
    /// `value` must be valid UTF-8 (the callers guarantee it).
    #[inline]
    pub fn set_str(&mut self, row: usize, value: &[u8]) {
        self.mark_valid(row);
        if value.len() <= 12 {
            let mut inlined = [0u8; 16];
            inlined[..4].copy_from_slice(&(value.len() as u32).to_ne_bytes());
            inlined[4..4 + value.len()].copy_from_slice(value);
            unsafe { *(self.data as *mut [u8; 16]).add(row) = inlined };
            return;
        }
        // The bytes are valid UTF-8 already (see format::cell::valid_text), so DuckDB's own
        // re-validation in duckdb_vector_assign_string_element_len is skipped.
        unsafe {
            ffi::duckdb_unsafe_vector_assign_string_element_len(
                self.vector,
                row as u64,
                value.as_ptr() as *const c_char,
                value.len() as u64,
            )
        }
    }
    #[inline]
    pub fn set<T: Copy>(&mut self, row: usize, value: T) {
        self.mark_valid(row);
        unsafe { *(self.data as *mut T).add(row) = value }
    }
    /// Writes `value` or NULL.
    #[inline]
    pub fn set_opt<T: Copy>(&mut self, row: usize, value: Option<T>) {
        match value {
            Some(v) => self.set(row, v),
            None => self.set_null(row),
        }
    }
    /// The `i`-th child of a STRUCT vector.
    pub fn struct_child(&self, i: usize) -> OutVector {
        unsafe { OutVector::new(ffi::duckdb_struct_vector_get_child(self.vector, i as u64)) }
    }
}

/// Owned `duckdb_value`, destroyed on drop.
pub struct Value(pub ffi::duckdb_value);

impl Value {
    pub fn is_null(&self) -> bool {
        self.0.is_null() || unsafe { ffi::duckdb_is_null_value(self.0) }
    }
    /// The value rendered as text (DuckDB's cast to VARCHAR).
    pub fn to_text(&self) -> String {
        unsafe {
            let p = ffi::duckdb_get_varchar(self.0);
            if p.is_null() {
                return String::new();
            }
            let s = CStr::from_ptr(p).to_string_lossy().into_owned();
            ffi::duckdb_free(p as *mut c_void);
            s
        }
    }
    pub fn to_bool(&self) -> bool {
        unsafe { ffi::duckdb_get_bool(self.0) }
    }
    pub fn to_i64(&self) -> i64 {
        unsafe { ffi::duckdb_get_int64(self.0) }
    }
    /// A TIMESTAMP WITH TIME ZONE value (what a `TIMESTAMPTZ` parameter is cast to) in
    /// microseconds since the epoch, UTC; None for any other type.
    pub fn to_timestamptz_micros(&self) -> Option<i64> {
        (self.type_id() == ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ).then(|| unsafe { ffi::duckdb_get_timestamp_tz(self.0).micros })
    }
    /// Type id of the value (`DUCKDB_TYPE_*`).
    pub fn type_id(&self) -> ffi::DUCKDB_TYPE {
        unsafe {
            // The returned type is owned by the value; it must not be destroyed.
            ffi::duckdb_get_type_id(ffi::duckdb_get_value_type(self.0))
        }
    }
    /// Elements of a LIST value as owned values; None when the value is not a list.
    pub fn list_items(&self) -> Option<Vec<Value>> {
        unsafe {
            if self.type_id() != ffi::DUCKDB_TYPE_DUCKDB_TYPE_LIST {
                return None;
            }
            let n = ffi::duckdb_get_list_size(self.0);
            Some((0..n).map(|i| Value(ffi::duckdb_get_list_child(self.0, i))).collect())
        }
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        if !self.0.is_null() {
            unsafe { ffi::duckdb_destroy_value(&mut self.0) }
        }
    }
}

/// Frees a `Box<T>` handed to DuckDB as bind, init or extra data (DuckDB calls it).
///
/// # Safety
/// `p` must come from `Box::<T>::into_raw` and be freed once.
pub unsafe extern "C" fn drop_box<T>(p: *mut c_void) {
    drop(Box::from_raw(p as *mut T));
}

/// A table function to register: its parameters and callbacks.
pub struct TableFunctionDef<'a> {
    pub name: &'a str,
    pub parameters: Vec<LogicalType>,
    pub named_parameters: Vec<(&'a str, LogicalType)>,
    pub bind: unsafe extern "C" fn(ffi::duckdb_bind_info),
    pub init: unsafe extern "C" fn(ffi::duckdb_init_info),
    /// Per-thread state, for functions that scan in parallel.
    pub local_init: Option<unsafe extern "C" fn(ffi::duckdb_init_info)>,
    pub scan: unsafe extern "C" fn(ffi::duckdb_function_info, ffi::duckdb_data_chunk),
    /// Extra info owned by the function and its destructor (DuckDB frees it with the function).
    pub extra_info: Option<(*mut c_void, unsafe extern "C" fn(*mut c_void))>,
}

/// Registers a table function with projection pushdown on `con`.
pub fn register_table_function(con: ffi::duckdb_connection, def: TableFunctionDef) -> Result<(), String> {
    unsafe {
        let mut f = ffi::duckdb_create_table_function();
        let cname = cstring(def.name);
        ffi::duckdb_table_function_set_name(f, cname.as_ptr());
        for ty in &def.parameters {
            ffi::duckdb_table_function_add_parameter(f, ty.0);
        }
        for (pname, ty) in &def.named_parameters {
            let c = cstring(pname);
            ffi::duckdb_table_function_add_named_parameter(f, c.as_ptr(), ty.0);
        }
        if let Some((data, destroy)) = def.extra_info {
            ffi::duckdb_table_function_set_extra_info(f, data, Some(destroy));
        }
        ffi::duckdb_table_function_set_bind(f, Some(def.bind));
        ffi::duckdb_table_function_set_init(f, Some(def.init));
        if let Some(local_init) = def.local_init {
            ffi::duckdb_table_function_set_local_init(f, Some(local_init));
        }
        ffi::duckdb_table_function_set_function(f, Some(def.scan));
        ffi::duckdb_table_function_supports_projection_pushdown(f, true);
        let state = ffi::duckdb_register_table_function(con, f);
        ffi::duckdb_destroy_table_function(&mut f);
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(format!("could not register {}", def.name));
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------ LIST output
// (kept in its own block at the end of the file)

/// Writes a `LIST(VARCHAR)` output vector row by row: each row's items are appended to the child
/// vector (capacity reserved through `duckdb_list_vector_reserve`, size set after writing) and
/// the row's list entry records their offset and count.
pub struct ListOut {
    vector: ffi::duckdb_vector,
    entries: *mut ffi::duckdb_list_entry,
    /// Items written to the child vector so far.
    len: u64,
}

impl ListOut {
    /// # Safety
    /// `v` must be a valid writable `LIST(VARCHAR)` vector with room for every row written.
    pub unsafe fn new(v: ffi::duckdb_vector) -> Self {
        Self {
            vector: v,
            entries: ffi::duckdb_vector_get_data(v) as *mut ffi::duckdb_list_entry,
            len: ffi::duckdb_list_vector_get_size(v),
        }
    }

    /// Sets `row` to the list of `items` (valid UTF-8 each; an empty iterator gives `[]`).
    pub fn set_row<'a>(&mut self, row: usize, items: impl ExactSizeIterator<Item = &'a [u8]>) -> Result<(), String> {
        let n = items.len() as u64;
        let offset = self.len;
        if n > 0 {
            unsafe {
                if ffi::duckdb_list_vector_reserve(self.vector, offset + n) != ffi::duckdb_state_DuckDBSuccess {
                    return Err("cloudfront: could not grow a list result".into());
                }
                // The child's buffer may have moved: look it up after reserving.
                let mut child = OutVector::new(ffi::duckdb_list_vector_get_child(self.vector));
                let mut written = 0u64;
                for (i, item) in items.enumerate().take(n as usize) {
                    child.set_str((offset + i as u64) as usize, item);
                    written += 1;
                }
                if written != n {
                    return Err("cloudfront: list item count changed while writing".into());
                }
                if ffi::duckdb_list_vector_set_size(self.vector, offset + n) != ffi::duckdb_state_DuckDBSuccess {
                    return Err("cloudfront: could not set a list result's size".into());
                }
            }
        }
        unsafe { *self.entries.add(row) = ffi::duckdb_list_entry { offset, length: n } };
        self.len = offset + n;
        Ok(())
    }
}

/// Runs `sql` on `con` (a connection the extension opened itself) and returns the first column
/// of the first row as text: None when there is no row or the value is NULL, the error text
/// when the statement fails.
pub fn query_first_text(con: ffi::duckdb_connection, sql: &str) -> Result<Option<String>, String> {
    let c = cstring(sql);
    unsafe {
        let mut result: ffi::duckdb_result = std::mem::zeroed();
        let state = ffi::duckdb_query(con, c.as_ptr(), &mut result);
        let outcome = if state != ffi::duckdb_state_DuckDBSuccess {
            let e = ffi::duckdb_result_error(&mut result);
            Err(if e.is_null() { "unknown error".into() } else { CStr::from_ptr(e).to_string_lossy().into_owned() })
        } else if ffi::duckdb_column_count(&mut result) == 0
            || ffi::duckdb_row_count(&mut result) == 0
            || ffi::duckdb_value_is_null(&mut result, 0, 0)
        {
            Ok(None)
        } else {
            let p = ffi::duckdb_value_varchar(&mut result, 0, 0);
            if p.is_null() {
                Ok(None)
            } else {
                let text = CStr::from_ptr(p).to_string_lossy().into_owned();
                ffi::duckdb_free(p as *mut c_void);
                Ok(Some(text))
            }
        };
        ffi::duckdb_destroy_result(&mut result);
        outcome
    }
}

/// A setting of the session behind a bind's client context, as text (None when unknown or
/// NULL). `context` must be a live client context (see `ext::files::ClientContext`).
pub fn client_context_setting(context: ffi::duckdb_client_context, name: &str) -> Option<String> {
    let c = cstring(name);
    let v = Value(unsafe { ffi::duckdb_client_context_get_config_option(context, c.as_ptr(), std::ptr::null_mut()) });
    (!v.is_null()).then(|| v.to_text())
}
