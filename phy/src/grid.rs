//! Resource grids: complex values per resource element `(k, l)` (subcarrier, OFDM symbol).

use num_complex::Complex32;

/// NB-IoT downlink subcarriers per carrier (one PRB), 36.211 §10.2.2.
pub const NBIOT_SUBCARRIERS: usize = 12;
/// OFDM symbols per subframe, normal cyclic prefix, 36.211 §10.2.2.
pub const SYMBOLS_PER_SUBFRAME: usize = 14;
/// OFDM symbols per slot, normal cyclic prefix.
pub const SYMBOLS_PER_SLOT: usize = 7;

/// A resource grid of `n_subcarriers × n_symbols` elements, stored symbol-major
/// (all subcarriers of symbol 0, then symbol 1, …).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceGrid {
    n_subcarriers: usize,
    n_symbols: usize,
    data: Vec<Complex32>,
}

impl ResourceGrid {
    /// A zeroed grid.
    pub fn new(n_subcarriers: usize, n_symbols: usize) -> Self {
        ResourceGrid {
            n_subcarriers,
            n_symbols,
            data: vec![Complex32::default(); n_subcarriers * n_symbols],
        }
    }

    /// A zeroed NB-IoT downlink subframe grid (12 × 14).
    pub fn nbiot_subframe() -> Self {
        Self::new(NBIOT_SUBCARRIERS, SYMBOLS_PER_SUBFRAME)
    }

    /// Number of subcarriers.
    pub fn n_subcarriers(&self) -> usize {
        self.n_subcarriers
    }

    /// Number of OFDM symbols.
    pub fn n_symbols(&self) -> usize {
        self.n_symbols
    }

    /// Sets every element to zero.
    pub fn clear(&mut self) {
        self.data.fill(Complex32::default());
    }

    /// Element `(k, l)`.
    ///
    /// # Panics
    /// If `(k, l)` is outside the grid.
    #[inline]
    pub fn get(&self, k: usize, l: usize) -> Complex32 {
        assert!(
            k < self.n_subcarriers && l < self.n_symbols,
            "grid index ({k},{l}) out of range"
        );
        self.data[l * self.n_subcarriers + k]
    }

    /// Sets element `(k, l)`.
    ///
    /// # Panics
    /// If `(k, l)` is outside the grid.
    #[inline]
    pub fn set(&mut self, k: usize, l: usize, v: Complex32) {
        assert!(
            k < self.n_subcarriers && l < self.n_symbols,
            "grid index ({k},{l}) out of range"
        );
        self.data[l * self.n_subcarriers + k] = v;
    }

    /// All subcarriers of symbol `l`.
    pub fn symbol(&self, l: usize) -> &[Complex32] {
        &self.data[l * self.n_subcarriers..(l + 1) * self.n_subcarriers]
    }

    /// All subcarriers of symbol `l`, mutable.
    pub fn symbol_mut(&mut self, l: usize) -> &mut [Complex32] {
        &mut self.data[l * self.n_subcarriers..(l + 1) * self.n_subcarriers]
    }

    /// The whole grid, symbol-major.
    pub fn as_slice(&self) -> &[Complex32] {
        &self.data
    }

    /// Adds `other` element-wise (e.g. to sum antenna ports onto one antenna).
    ///
    /// # Panics
    /// If the dimensions differ.
    pub fn add_assign(&mut self, other: &ResourceGrid) {
        assert_eq!(
            (self.n_subcarriers, self.n_symbols),
            (other.n_subcarriers, other.n_symbols),
            "grid dimensions differ"
        );
        for (a, b) in self.data.iter_mut().zip(&other.data) {
            *a += b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexing_is_symbol_major() {
        let mut g = ResourceGrid::nbiot_subframe();
        g.set(3, 2, Complex32::new(1.0, -1.0));
        assert_eq!(g.as_slice()[2 * 12 + 3], Complex32::new(1.0, -1.0));
        assert_eq!(g.symbol(2)[3], Complex32::new(1.0, -1.0));
        let h = g.clone();
        g.add_assign(&h);
        assert_eq!(g.get(3, 2), Complex32::new(2.0, -2.0));
    }
}
