//! Checked access to DuckDB's vectors and data chunks.
//!
//! Every safe accessor checks what it relies on: the row is within the vector (its row count for
//! input, its capacity for output) and the vector's type stores the Rust type read or written
//! (checked against the vector's own logical type, looked up once per vector). A failed check is
//! a bug in the caller and panics, which the callback's guard turns into a query error. The
//! `unsafe fn ..._unchecked` variants skip the checks for loops that have done them already.

use std::ffi::{c_char, c_void};
use std::marker::PhantomData;

use libduckdb_sys as ffi;

use super::error::Error;
use super::types::LogicalType;

/// How a vector stores its values, from its logical type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub enum Physical {
    Bool,
    I32,
    I64,
    F64,
    Str,
    List,
    Struct,
    Other,
}

impl Physical {
    fn of(type_id: ffi::DUCKDB_TYPE) -> Physical {
        match type_id {
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN => Physical::Bool,
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_INTEGER | ffi::DUCKDB_TYPE_DUCKDB_TYPE_DATE => Physical::I32,
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_BIGINT
            | ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIME
            | ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP
            | ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ => Physical::I64,
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE => Physical::F64,
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR => Physical::Str,
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_LIST => Physical::List,
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_STRUCT => Physical::Struct,
            _ => Physical::Other,
        }
    }
}

/// The logical type of a vector (owned copy).
///
/// # Safety
/// `v` must be a live vector.
unsafe fn vector_type(v: ffi::duckdb_vector) -> LogicalType {
    LogicalType::from_owned(ffi::duckdb_vector_get_column_type(v))
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for bool {}
    impl Sealed for i32 {}
    impl Sealed for i64 {}
    impl Sealed for f64 {}
}

/// A fixed-size value DuckDB stores as is in a vector's data: `bool` (BOOLEAN), `i32` (INTEGER,
/// DATE as days), `i64` (BIGINT, TIME and TIMESTAMP as microseconds), `f64` (DOUBLE).
pub trait Primitive: Copy + sealed::Sealed {
    #[doc(hidden)]
    const PHYSICAL: Physical;
}
impl Primitive for bool {
    const PHYSICAL: Physical = Physical::Bool;
}
impl Primitive for i32 {
    const PHYSICAL: Physical = Physical::I32;
}
impl Primitive for i64 {
    const PHYSICAL: Physical = Physical::I64;
}
impl Primitive for f64 {
    const PHYSICAL: Physical = Physical::F64;
}

/// Longest string DuckDB stores inside the 16-byte `string_t` itself.
pub const INLINE_STRING: usize = 12;

/// The bytes of a `duckdb_string_t` (inlined when 12 bytes or shorter).
///
/// # Safety
/// `s` must point at a valid `duckdb_string_t` whose data outlives `'a`.
#[inline]
unsafe fn string_bytes<'a>(s: *const ffi::duckdb_string_t) -> &'a [u8] {
    let len = (*s).value.inlined.length as usize;
    if len <= INLINE_STRING {
        std::slice::from_raw_parts((*s).value.inlined.inlined.as_ptr() as *const u8, len)
    } else {
        std::slice::from_raw_parts((*s).value.pointer.ptr as *const u8, len)
    }
}

/// The 16 bytes of DuckDB's `string_t` for a string of at most [`INLINE_STRING`] bytes: the
/// length, then the bytes, zero-padded. Built in registers from two possibly overlapping 8- or
/// 4-byte loads: a variable-length copy compiled to a `memmove` call per value, and assembling
/// the bytes in a stack array first stalled on reading them back as one 16-byte value (a fifth
/// of the row conversion's time); most values of a CloudFront row are this short.
#[inline(always)]
fn inlined_string(value: &[u8]) -> [u8; 16] {
    let n = value.len();
    debug_assert!(n <= INLINE_STRING);
    let bytes: u128 = if n >= 8 {
        let head = u64::from_le_bytes(value[..8].try_into().expect("8 bytes")) as u128;
        let tail = u64::from_le_bytes(value[n - 8..].try_into().expect("8 bytes")) as u128;
        head | (tail << (8 * (n - 8)))
    } else if n >= 4 {
        let head = u32::from_le_bytes(value[..4].try_into().expect("4 bytes")) as u128;
        let tail = u32::from_le_bytes(value[n - 4..].try_into().expect("4 bytes")) as u128;
        head | (tail << (8 * (n - 4)))
    } else {
        value.iter().enumerate().fold(0u128, |acc, (i, &b)| acc | ((b as u128) << (8 * i)))
    };
    // The length is a native-endian u32 in front of the bytes.
    if cfg!(target_endian = "little") {
        ((bytes << 32) | n as u128).to_le_bytes()
    } else {
        let mut out = (bytes << 32).to_le_bytes();
        out[..4].copy_from_slice(&(n as u32).to_ne_bytes());
        out
    }
}

// ------------------------------------------------------------------------------------ input

/// Read access to one flat input vector of `rows` rows (DuckDB flattens scalar-function inputs).
#[derive(Clone, Copy)]
pub struct InVector<'a> {
    data: *const c_void,
    validity: *const u64,
    rows: usize,
    physical: Physical,
    _chunk: PhantomData<&'a ffi::duckdb_string_t>,
}

impl<'a> InVector<'a> {
    /// # Safety
    /// `v` must be a live flat vector with at least `rows` rows, valid for `'a`.
    pub(super) unsafe fn from_raw(v: ffi::duckdb_vector, rows: usize) -> Self {
        Self {
            data: ffi::duckdb_vector_get_data(v),
            validity: ffi::duckdb_vector_get_validity(v),
            rows,
            physical: Physical::of(vector_type(v).id()),
            _chunk: PhantomData,
        }
    }

    /// Rows in the vector.
    pub fn rows(&self) -> usize {
        self.rows
    }

    #[inline(always)]
    fn check(&self, row: usize, physical: Physical) {
        assert!(row < self.rows, "row {row} of a {}-row input vector", self.rows);
        assert!(self.physical == physical, "input vector holds {:?}, read as {physical:?}", self.physical);
    }

    #[inline]
    fn valid(&self, row: usize) -> bool {
        // SAFETY: callers checked row < rows; a validity mask has a bit for every row.
        self.validity.is_null() || unsafe { (*self.validity.add(row / 64) >> (row % 64)) & 1 == 1 }
    }

    /// Whether `row` is not NULL.
    #[inline]
    pub fn is_valid(&self, row: usize) -> bool {
        assert!(row < self.rows, "row {row} of a {}-row input vector", self.rows);
        self.valid(row)
    }

    /// The VARCHAR of `row`, None for NULL.
    #[inline]
    pub fn str(&self, row: usize) -> Option<&'a [u8]> {
        self.check(row, Physical::Str);
        // SAFETY: checked just above: a VARCHAR vector and a row within it.
        unsafe { self.str_unchecked(row) }
    }

    /// [`InVector::str`] without the checks.
    ///
    /// # Safety
    /// The vector must be VARCHAR and `row < self.rows()`.
    #[inline]
    pub unsafe fn str_unchecked(&self, row: usize) -> Option<&'a [u8]> {
        if !self.valid(row) {
            return None;
        }
        Some(string_bytes((self.data as *const ffi::duckdb_string_t).add(row)))
    }

    /// The value of `row` (INTEGER as `i32`, BIGINT as `i64`, ...), None for NULL.
    #[inline]
    pub fn get<T: Primitive>(&self, row: usize) -> Option<T> {
        self.check(row, T::PHYSICAL);
        // SAFETY: checked just above: the vector stores T and the row is within it.
        self.valid(row).then(|| unsafe { *(self.data as *const T).add(row) })
    }

    #[inline]
    pub fn i32(&self, row: usize) -> Option<i32> {
        self.get(row)
    }

    #[inline]
    pub fn i64(&self, row: usize) -> Option<i64> {
        self.get(row)
    }
}

// ----------------------------------------------------------------------------------- output

/// Write access to one output vector with room for `capacity` rows.
///
/// There is one writer per vector: a data chunk hands out each of its vectors once, and
/// STRUCT/LIST vectors are written through [`StructOut`] and [`ListOut`], which own their
/// children's writers.
pub struct OutVector<'a> {
    raw: ffi::duckdb_vector,
    data: *mut c_void,
    /// The validity mask, once it exists (DuckDB allocates it on the first NULL).
    validity: *mut u64,
    capacity: usize,
    physical: Physical,
    _chunk: PhantomData<&'a mut ffi::duckdb_string_t>,
}

impl<'a> OutVector<'a> {
    /// # Safety
    /// `v` must be a live flat vector with room for `capacity` rows, valid for `'a`, and no
    /// other writer may exist for it while this one lives.
    pub(super) unsafe fn from_raw(v: ffi::duckdb_vector, capacity: usize) -> Self {
        Self {
            raw: v,
            data: ffi::duckdb_vector_get_data(v),
            validity: ffi::duckdb_vector_get_validity(v),
            capacity,
            physical: Physical::of(vector_type(v).id()),
            _chunk: PhantomData,
        }
    }

    /// Rows the vector has room for.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Bytes a row takes in the vector's own buffer (DuckDB's physical layout; the validity
    /// mask, string heap and child vectors aside).
    pub fn entry_bytes(&self) -> usize {
        match self.physical {
            Physical::Bool => 1,
            Physical::I32 => 4,
            Physical::I64 | Physical::F64 | Physical::Struct | Physical::Other => 8,
            // string_t, list_entry_t
            Physical::Str | Physical::List => 16,
        }
    }

    #[inline]
    fn check(&self, row: usize, physical: Physical) {
        assert!(row < self.capacity, "row {row} of an output vector of {} rows", self.capacity);
        assert!(self.physical == physical, "output vector holds {:?}, written as {physical:?}", self.physical);
    }

    /// Sets `row` to NULL.
    #[inline(always)]
    pub fn set_null(&mut self, row: usize) {
        assert!(row < self.capacity, "row {row} of an output vector of {} rows", self.capacity);
        // SAFETY: row < capacity, and the mask (made writable first) has a bit per row.
        unsafe {
            if self.validity.is_null() {
                ffi::duckdb_vector_ensure_validity_writable(self.raw);
                self.validity = ffi::duckdb_vector_get_validity(self.raw);
            }
            *self.validity.add(row / 64) &= !(1u64 << (row % 64));
        }
    }

    /// Undoes an earlier `set_null` of a row that is written again (a row slot is reused when
    /// the row it held was refused).
    #[inline(always)]
    fn mark_valid(&mut self, row: usize) {
        if !self.validity.is_null() {
            // SAFETY: callers checked row < capacity.
            unsafe { *self.validity.add(row / 64) |= 1u64 << (row % 64) }
        }
    }

    /// Writes a fixed-size value (`bool`, `i32`, `i64`, `f64`) into `row`.
    #[inline(always)]
    pub fn set<T: Primitive>(&mut self, row: usize, value: T) {
        self.check(row, T::PHYSICAL);
        // SAFETY: checked just above.
        unsafe { self.set_unchecked(row, value) }
    }

    /// [`OutVector::set`] without the checks.
    ///
    /// # Safety
    /// The vector must store `T` (see [`Primitive`]) and `row < self.capacity()`.
    #[inline(always)]
    pub unsafe fn set_unchecked<T: Primitive>(&mut self, row: usize, value: T) {
        self.mark_valid(row);
        *(self.data as *mut T).add(row) = value;
    }

    /// Writes `value` or NULL.
    #[inline]
    pub fn set_opt<T: Primitive>(&mut self, row: usize, value: Option<T>) {
        match value {
            Some(v) => self.set(row, v),
            None => self.set_null(row),
        }
    }

    /// Writes a VARCHAR into `row`.
    #[inline(always)]
    pub fn set_str(&mut self, row: usize, value: &str) {
        self.check(row, Physical::Str);
        // SAFETY: checked just above; a `str` is valid UTF-8.
        unsafe { self.set_str_unchecked(row, value.as_bytes()) }
    }

    /// Writes a VARCHAR or NULL.
    #[inline]
    pub fn set_str_opt(&mut self, row: usize, value: Option<&str>) {
        match value {
            Some(v) => self.set_str(row, v),
            None => self.set_null(row),
        }
    }

    /// [`OutVector::set_str`] without the checks. Strings of up to 12 bytes are stored inside
    /// the 16-byte `string_t` (DuckDB's layout: the length, then the bytes zero-padded), which
    /// needs no heap and no call into DuckDB; longer ones are copied into the vector's heap.
    ///
    /// # Safety
    /// The vector must be VARCHAR, `row < self.capacity()`, and `value` valid UTF-8 (DuckDB
    /// does not check it here).
    #[inline(always)]
    pub unsafe fn set_str_unchecked(&mut self, row: usize, value: &[u8]) {
        self.mark_valid(row);
        if value.len() <= INLINE_STRING {
            *(self.data as *mut [u8; 16]).add(row) = inlined_string(value);
            return;
        }
        ffi::duckdb_unsafe_vector_assign_string_element_len(self.raw, row as u64, value.as_ptr() as *const c_char, value.len() as u64);
    }

    /// Writes a VARCHAR into `row` like [`OutVector::set_str`], except that a string longer
    /// than [`INLINE_STRING`] is only gathered into `long`; [`OutVector::flush_long`] then
    /// copies all of them into the vector's heap at once. Asking DuckDB for heap space once per
    /// string was the single most expensive step of a full-width scan (about 7 such strings a
    /// CloudFront row: a seventh of the scan's CPU in `duckdb_unsafe_vector_assign_string_element_len`).
    /// Until the flush the row's slot does not hold the string: flush before the chunk is handed back.
    #[inline(always)]
    pub fn set_str_gathered(&mut self, row: usize, value: &str, long: &mut LongStrings) {
        self.check(row, Physical::Str);
        if value.len() <= INLINE_STRING || value.len() > LongStrings::MAX_BYTES {
            // SAFETY: checked just above; a `str` is valid UTF-8.
            unsafe { self.set_str_unchecked(row, value.as_bytes()) };
            return;
        }
        self.mark_valid(row);
        if long.bytes.len() + value.len() > LongStrings::MAX_BYTES {
            self.flush_long(long);
        }
        long.slots.push(LongSlot { row: row as u32, start: long.bytes.len() as u32, len: value.len() as u32 });
        long.bytes.extend_from_slice(value.as_bytes());
    }

    /// Copies the strings gathered in `long` (by [`OutVector::set_str_gathered`] on this vector)
    /// into the vector's heap with one allocation, points their rows at them, and empties `long`.
    pub fn flush_long(&mut self, long: &mut LongStrings) {
        let Some(first) = long.slots.first() else { return };
        assert!(self.physical == Physical::Str, "output vector holds {:?}, written as VARCHAR", self.physical);
        assert!(long.slots.iter().all(|s| (s.row as usize) < self.capacity), "gathered string beyond the output vector");
        let first_row = first.row as u64;
        // SAFETY: a VARCHAR vector and rows within it (checked just above). DuckDB copies the
        // gathered bytes (valid UTF-8: each piece came from a `str` and they are split only at
        // those pieces' bounds) into the vector's own string heap as one string, stored in the
        // first gathered row. Every gathered string then becomes a `string_t` pointing into that
        // copy: DuckDB's non-inlined layout (length, first 4 bytes as prefix, pointer), the same
        // a string added on its own gets. The copy is owned by the vector (its heap lives as
        // long as the vector's data), so the pointers stay valid as long as the slots holding
        // them; DuckDB's own substrings point into the middle of heap strings the same way.
        unsafe {
            ffi::duckdb_unsafe_vector_assign_string_element_len(
                self.raw,
                first_row,
                long.bytes.as_ptr() as *const c_char,
                long.bytes.len() as u64,
            );
            let slots = self.data as *mut ffi::duckdb_string_t;
            let base = (*slots.add(first_row as usize)).value.pointer.ptr;
            for s in &long.slots {
                let start = s.start as usize;
                let mut prefix = [0 as c_char; 4];
                for (p, &b) in prefix.iter_mut().zip(&long.bytes[start..start + 4]) {
                    *p = b as c_char;
                }
                let slot = &mut *slots.add(s.row as usize);
                slot.value.pointer = ffi::duckdb_string_t__bindgen_ty_1__bindgen_ty_1 { length: s.len, prefix, ptr: base.add(start) };
            }
        }
        long.clear();
    }

    /// This STRUCT vector as a writer of its members.
    pub fn into_struct(self) -> StructOut<'a> {
        assert!(self.physical == Physical::Struct, "output vector holds {:?}, written as a STRUCT", self.physical);
        // SAFETY: a live STRUCT vector; its members have the parent's capacity, and the parent
        // writer is consumed, so each member gets exactly one writer.
        let members = unsafe { vector_type(self.raw) }.struct_members();
        let children = (0..members)
            .map(|i| unsafe { OutVector::from_raw(ffi::duckdb_struct_vector_get_child(self.raw, i as u64), self.capacity) })
            .collect();
        StructOut { parent: self, children }
    }

    /// A writer of lists of strings into this LIST(VARCHAR) vector. It continues after the
    /// items already written, so one may be made per row.
    pub fn text_lists(&mut self) -> ListOut<'_, 'a> {
        // SAFETY: a live vector.
        let child = unsafe { vector_type(self.raw) }.list_child_id();
        assert!(child == Some(ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR), "output vector is not a LIST(VARCHAR)");
        // SAFETY: a LIST vector's data is its list entries, one per row.
        let len = unsafe { ffi::duckdb_list_vector_get_size(self.raw) };
        ListOut { entries: self.data as *mut ffi::duckdb_list_entry, len, vector: self }
    }
}

/// Strings longer than [`INLINE_STRING`] gathered for one output vector between flushes (see
/// [`OutVector::set_str_gathered`]): their bytes back to back and the row each belongs to. Keep
/// one per output column across scan calls so the buffers are reused.
#[derive(Default)]
pub struct LongStrings {
    bytes: Vec<u8>,
    slots: Vec<LongSlot>,
}

/// A gathered string: its row and its bytes in `LongStrings::bytes`.
struct LongSlot {
    row: u32,
    start: u32,
    len: u32,
}

impl LongStrings {
    /// Bytes gathered before a flush is forced (well below `string_t`'s 4 GiB length limit, so
    /// offsets fit in `u32`); a longer string is written on its own.
    const MAX_BYTES: usize = 16 << 20;

    /// Drops everything gathered (a scan call that ends in an error).
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.slots.clear();
    }

    /// Drops the strings gathered for `row`, whose slot is given up (the row was refused) and
    /// will be written again by the next row. Rows are written in order, so they are the last
    /// ones gathered.
    pub fn forget_row(&mut self, row: usize) {
        while let Some(last) = self.slots.last() {
            if last.row as usize != row {
                break;
            }
            self.bytes.truncate(last.start as usize);
            self.slots.pop();
        }
    }
}

/// Writes a STRUCT vector: its own NULLs and each member's values.
pub struct StructOut<'a> {
    parent: OutVector<'a>,
    children: Vec<OutVector<'a>>,
}

impl<'a> StructOut<'a> {
    /// The writer of member `i`.
    pub fn member(&mut self, i: usize) -> &mut OutVector<'a> {
        &mut self.children[i]
    }

    /// Sets `row` to NULL (the struct and every member).
    pub fn set_null(&mut self, row: usize) {
        self.parent.set_null(row);
        for child in &mut self.children {
            child.set_null(row);
        }
    }
}

/// Writes a `LIST(VARCHAR)` vector row by row: each row's items are appended to the child vector
/// (capacity reserved through `duckdb_list_vector_reserve`, size set after writing) and the
/// row's list entry records their offset and count.
pub struct ListOut<'v, 'a> {
    vector: &'v mut OutVector<'a>,
    entries: *mut ffi::duckdb_list_entry,
    /// Items in the child vector so far.
    len: u64,
}

impl ListOut<'_, '_> {
    /// Sets `row` to the list of `items` (an empty iterator gives `[]`).
    pub fn set_row<'s>(&mut self, row: usize, items: impl ExactSizeIterator<Item = &'s str>) -> Result<(), Error> {
        let capacity = self.vector.capacity;
        assert!(row < capacity, "row {row} of an output vector of {capacity} rows");
        let n = items.len() as u64;
        let offset = self.len;
        if n > 0 {
            let raw = self.vector.raw;
            // SAFETY: a live LIST vector; after reserving, its child has room for offset + n
            // items (looked up again: the child's buffer may have moved).
            unsafe {
                if ffi::duckdb_list_vector_reserve(raw, offset + n) != ffi::duckdb_state_DuckDBSuccess {
                    return Err(Error::Vector("could not grow a list result"));
                }
                let mut child = OutVector::from_raw(ffi::duckdb_list_vector_get_child(raw), (offset + n) as usize);
                let mut written = 0u64;
                for item in items.take(n as usize) {
                    child.set_str((offset + written) as usize, item);
                    written += 1;
                }
                if written != n {
                    return Err(Error::Vector("list item count changed while writing"));
                }
                if ffi::duckdb_list_vector_set_size(raw, offset + n) != ffi::duckdb_state_DuckDBSuccess {
                    return Err(Error::Vector("could not set a list result's size"));
                }
            }
        }
        self.vector.mark_valid(row);
        // SAFETY: row < capacity (checked above); the entries array has one entry per row.
        unsafe { *self.entries.add(row) = ffi::duckdb_list_entry { offset, length: n } };
        self.len = offset + n;
        Ok(())
    }

    /// Sets `row` to NULL.
    pub fn set_null(&mut self, row: usize) {
        self.vector.set_null(row);
    }
}

// ------------------------------------------------------------------------------------ chunks

/// The output chunk of a table function's scan.
pub struct OutputChunk<'a> {
    raw: ffi::duckdb_data_chunk,
    capacity: usize,
    handed_out: bool,
    _chunk: PhantomData<&'a mut ()>,
}

impl OutputChunk<'_> {
    /// # Safety
    /// `raw` must be the live output chunk of the scan being run.
    pub(super) unsafe fn from_raw(raw: ffi::duckdb_data_chunk) -> Self {
        Self { raw, capacity: ffi::duckdb_vector_size() as usize, handed_out: false, _chunk: PhantomData }
    }

    /// Rows the chunk has room for (DuckDB's vector size).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of columns (the projected ones, in projection order).
    pub fn column_count(&self) -> usize {
        // SAFETY: a live chunk.
        unsafe { ffi::duckdb_data_chunk_get_column_count(self.raw) as usize }
    }

    /// A writer for every column, in order. Callable once per scan call (one writer per vector).
    pub fn columns(&mut self) -> Vec<OutVector<'_>> {
        assert!(!self.handed_out, "the columns of an output chunk are handed out once");
        self.handed_out = true;
        let n = self.column_count();
        // SAFETY: each column vector of a live output chunk, with the chunk's capacity, once.
        (0..n).map(|i| unsafe { OutVector::from_raw(ffi::duckdb_data_chunk_get_vector(self.raw, i as u64), self.capacity) }).collect()
    }

    /// Sets the number of rows the scan produced.
    pub(super) fn set_size(&mut self, rows: usize) {
        assert!(rows <= self.capacity, "{rows} rows in an output chunk of {}", self.capacity);
        // SAFETY: a live chunk, rows within its capacity.
        unsafe { ffi::duckdb_data_chunk_set_size(self.raw, rows as u64) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inlined_strings_are_length_then_bytes_zero_padded() {
        for n in 0..=INLINE_STRING {
            let value: Vec<u8> = (b'a'..).take(n).collect();
            let mut want = [0u8; 16];
            want[..4].copy_from_slice(&(n as u32).to_ne_bytes());
            want[4..4 + n].copy_from_slice(&value);
            assert_eq!(inlined_string(&value), want, "length {n}");
        }
    }
}
