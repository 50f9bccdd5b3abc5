//! Fixed-point (i16, saturating) windowed max-log-MAP constituent decoder, written once over
//! a 16-lane vector abstraction ([`Lanes`]) and instantiated twice: the always-built portable
//! path ([`Portable`], plain arrays) and, on x86-64 with AVX2 detected at run time, the
//! `std::arch` path in [`super::simd_avx2`]. Both run the same arithmetic in the same order,
//! so their extrinsic LLRs are bit-identical (tested).
//!
//! Layout: the block (front-padded with `pad < 16` known-zero steps so that `16·L = K + pad`)
//! is cut into 16 windows of `L` trellis steps, one per lane; step `j` of every window sits in
//! one 16-lane vector, and each of the 8 trellis states is one vector, so the trellis
//! shuffles are register renames. Window boundaries are initialised from the previous
//! iteration's neighbouring-window metrics (next-iteration initialisation); window 0 starts in
//! state 0 and window 15 ends in the β of the termination tail, computed exactly once per
//! decode from the tail LLRs.
//!
//! Metrics: with `X = L_s + L_a` and `P = L_p` the branch metric is
//! `γ(u, z) = (1−u)·X + (1−z)·P`, which differs from `((1−2u)X + (1−2z)P)/2` by a constant
//! per step, so α, β and the extrinsic are those of the usual max-log-MAP, on the LLR scale
//! and without halving. Channel LLRs are scaled to [`MEAN_ABS_Q`] mean magnitude (max-log-MAP
//! is scale-invariant) and clamped to ±[`CH_MAX`]; extrinsics are clamped to ±[`EXT_MAX`].
//! α and β are normalised to state 0 at every step, so their spread stays below
//! `3·(2·CH_MAX + EXT_MAX)` and `α + β + P` cannot overflow i16.

use crate::crc::crc_check_masked;
use crate::error::PhyError;

use super::decoder::{TurboDecodeOptions, TurboDecodeStats};
use super::encoder::{rsc_step, rsc_tail_input};

/// Lanes (windows) per vector.
pub(crate) const W: usize = 16;
/// Trellis states.
const S: usize = 8;
/// Channel LLR clamp after scaling.
pub(crate) const CH_MAX: i16 = 511;
/// Extrinsic clamp.
pub(crate) const EXT_MAX: i16 = 2047;
/// Target mean magnitude of the nonzero scaled channel LLRs.
pub(crate) const MEAN_ABS_Q: f32 = 24.0;
/// Metric of an impossible state.
const NEG: i16 = -16384;

/// Per-state metric vectors of one step, each `[i16; W]` (lane = window).
pub(crate) type StateMetrics = [[i16; W]; S];

/// `NEXT[u][s]`, `ZERO_PARITY[u][s]` (z = 0) from the encoder's [`rsc_step`].
const NEXT: [[usize; S]; 2] = trellis().0;
const ZERO_PARITY: [[bool; S]; 2] = trellis().1;

const fn trellis() -> ([[usize; S]; 2], [[bool; S]; 2]) {
    let mut next = [[0usize; S]; 2];
    let mut zp = [[false; S]; 2];
    let mut u = 0;
    while u < 2 {
        let mut s = 0;
        while s < S {
            let (n, z) = rsc_step(s as u8, u as u8);
            next[u][s] = n as usize;
            zp[u][s] = z == 0;
            s += 1;
        }
        u += 1;
    }
    (next, zp)
}

/// The 16-lane i16 operations the kernel needs; all arithmetic saturates.
pub(crate) trait Lanes: Copy {
    /// All lanes `v`.
    fn splat(v: i16) -> Self;
    /// Loads 16 lanes.
    fn load(a: &[i16; W]) -> Self;
    /// Stores 16 lanes.
    fn store(self, a: &mut [i16; W]);
    /// Saturating add.
    fn adds(self, o: Self) -> Self;
    /// Saturating subtract.
    fn subs(self, o: Self) -> Self;
    /// Lane-wise maximum.
    fn max(self, o: Self) -> Self;
    /// Lane-wise minimum.
    fn min(self, o: Self) -> Self;
    /// Arithmetic shift right by 2.
    fn sra2(self) -> Self;
}

/// Portable lanes: plain arrays (the compiler vectorises them for the baseline target).
#[derive(Clone, Copy)]
pub(crate) struct Portable([i16; W]);

impl Portable {
    #[inline(always)]
    fn zip(self, o: Self, f: impl Fn(i16, i16) -> i16) -> Self {
        let mut r = [0i16; W];
        for (i, v) in r.iter_mut().enumerate() {
            *v = f(self.0[i], o.0[i]);
        }
        Portable(r)
    }
}

impl Lanes for Portable {
    #[inline(always)]
    fn splat(v: i16) -> Self {
        Portable([v; W])
    }
    #[inline(always)]
    fn load(a: &[i16; W]) -> Self {
        Portable(*a)
    }
    #[inline(always)]
    fn store(self, a: &mut [i16; W]) {
        *a = self.0;
    }
    #[inline(always)]
    fn adds(self, o: Self) -> Self {
        self.zip(o, i16::saturating_add)
    }
    #[inline(always)]
    fn subs(self, o: Self) -> Self {
        self.zip(o, i16::saturating_sub)
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        self.zip(o, Ord::max)
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        self.zip(o, Ord::min)
    }
    #[inline(always)]
    fn sra2(self) -> Self {
        Portable(self.0.map(|v| v >> 2))
    }
}

/// Inputs and boundary state of one constituent decoder in lane layout.
pub(crate) struct SisoIo<'a> {
    /// Systematic LLRs, `L` vectors.
    pub sys: &'a [[i16; W]],
    /// Parity LLRs.
    pub par: &'a [[i16; W]],
    /// A-priori LLRs.
    pub apri: &'a [[i16; W]],
    /// In: α at the start of every window. Out: α at the end of every window.
    pub alpha: &'a mut StateMetrics,
    /// In: β at the end of every window. Out: β at the start of every window.
    pub beta_edge: &'a mut StateMetrics,
    /// Scratch: β for steps `1..=L` (`L + 1` entries).
    pub beta: &'a mut [StateMetrics],
    /// Out: extrinsic LLRs, clamped to ±[`EXT_MAX`] and scaled by 0.75 as `e − (e >> 2)`:
    /// the other decoder's a-priori input.
    pub ext: &'a mut [[i16; W]],
    /// Out: a-posteriori LLRs `L_s + L_a + L_e` (saturating; their signs are the decisions).
    pub post: &'a mut [[i16; W]],
}

#[inline(always)]
fn load_states<V: Lanes>(m: &StateMetrics) -> [V; S] {
    let mut v = [V::splat(0); S];
    for s in 0..S {
        v[s] = V::load(&m[s]);
    }
    v
}

#[inline(always)]
fn store_states<V: Lanes>(v: &[V; S], m: &mut StateMetrics) {
    for s in 0..S {
        v[s].store(&mut m[s]);
    }
}

#[inline(always)]
fn normalise<V: Lanes>(v: &mut [V; S]) {
    let n = v[0];
    for x in v.iter_mut() {
        *x = x.subs(n);
    }
}

/// One constituent decoder over all windows (the kernel both paths instantiate).
#[inline(always)]
pub(crate) fn siso_kernel<V: Lanes>(io: SisoIo<'_>) {
    let l = io.sys.len();
    let zero = V::splat(0);
    // Backward recursion: β_j(s) = max_u β_{j+1}(next(s,u)) + γ(u, z(s,u)).
    let mut b: [V; S] = load_states(io.beta_edge);
    io.beta[l] = *io.beta_edge;
    for j in (0..l).rev() {
        let x = V::load(&io.sys[j]).adds(V::load(&io.apri[j]));
        let p = V::load(&io.par[j]);
        let g = [[x.adds(p), x], [p, zero]];
        let mut nb = [zero; S];
        for s in 0..S {
            let c0 = b[NEXT[0][s]].adds(g[0][usize::from(!ZERO_PARITY[0][s])]);
            let c1 = b[NEXT[1][s]].adds(g[1][usize::from(!ZERO_PARITY[1][s])]);
            nb[s] = c0.max(c1);
        }
        normalise(&mut nb);
        b = nb;
        if j > 0 {
            store_states(&b, &mut io.beta[j]);
        }
    }
    store_states(&b, io.beta_edge);
    // Forward recursion with the extrinsic output.
    let emax = V::splat(EXT_MAX);
    let emin = V::splat(-EXT_MAX);
    let mut a: [V; S] = load_states(io.alpha);
    for j in 0..l {
        let x = V::load(&io.sys[j]).adds(V::load(&io.apri[j]));
        let p = V::load(&io.par[j]);
        let bn: [V; S] = load_states(&io.beta[j + 1]);
        // t(u, s) = α(s) + (1 − z(s,u))·P.
        let mut t = [[zero; S]; 2];
        for u in 0..2 {
            for s in 0..S {
                t[u][s] = if ZERO_PARITY[u][s] {
                    a[s].adds(p)
                } else {
                    a[s]
                };
            }
        }
        let mut m = [zero; 2];
        for u in 0..2 {
            let mut acc = t[u][0].adds(bn[NEXT[u][0]]);
            for s in 1..S {
                acc = acc.max(t[u][s].adds(bn[NEXT[u][s]]));
            }
            m[u] = acc;
        }
        let e = m[0].subs(m[1]).max(emin).min(emax);
        e.subs(e.sra2()).store(&mut io.ext[j]);
        x.adds(e).store(&mut io.post[j]);
        // α_{j+1}(s') = max over the two branches into s' of t(u, s) + (1 − u)·X.
        let mut na = [V::splat(i16::MIN); S];
        for s in 0..S {
            let c0 = t[0][s].adds(x);
            na[NEXT[0][s]] = na[NEXT[0][s]].max(c0);
            na[NEXT[1][s]] = na[NEXT[1][s]].max(t[1][s]);
        }
        normalise(&mut na);
        a = na;
    }
    store_states(&a, io.alpha);
}

/// Which instantiation of [`siso_kernel`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FixedPath {
    /// [`Portable`].
    Portable,
    /// AVX2 (only chosen when detected).
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

fn siso(path: FixedPath, io: SisoIo<'_>) {
    match path {
        FixedPath::Portable => siso_kernel::<Portable>(io),
        #[cfg(target_arch = "x86_64")]
        FixedPath::Avx2 => super::simd_avx2::siso(io),
    }
}

/// `dst[j] = src[idx[j]]` (0 for an index out of range, which the tables never hold).
#[inline(always)]
pub(crate) fn gather_portable(dst: &mut [i16], src: &[i16], idx: &[u16]) {
    // `get` instead of indexing: no panic path, so the loop can use vector gathers.
    for (d, &n) in dst.iter_mut().zip(idx) {
        *d = src.get(usize::from(n)).copied().unwrap_or(0);
    }
}

fn gather(path: FixedPath, dst: &mut [i16], src: &[i16], idx: &[u16]) {
    match path {
        FixedPath::Portable => gather_portable(dst, src, idx),
        #[cfg(target_arch = "x86_64")]
        FixedPath::Avx2 => super::simd_avx2::gather(dst, src, idx),
    }
}

/// Whether the AVX2 path can run on this CPU.
pub(crate) fn avx2_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Quantises an LLR (crate convention) with `scale`, clamped to ±[`CH_MAX`].
#[inline]
fn quantise(v: f32, scale: f32) -> i16 {
    let y = v * scale;
    // Round half away from zero (`f32::round` without the libm call); `as` saturates.
    let r = (y + 0.5f32.copysign(y)) as i32;
    r.clamp(-i32::from(CH_MAX), i32::from(CH_MAX)) as i16
}

/// `(Σ|v|, number of nonzero v)`, the sum in f64 (NaN or ∞ if any input is).
fn abs_sum(v: &[f32]) -> (f64, usize) {
    // Eight partial sums so the loop vectorises.
    let mut acc = [0f64; 8];
    let mut nz = [0u32; 8];
    let chunks = v.chunks_exact(8);
    for &x in chunks.remainder() {
        acc[0] += f64::from(x.abs());
        nz[0] += u32::from(x != 0.0);
    }
    for ch in chunks {
        for j in 0..8 {
            acc[j] += f64::from(ch[j].abs());
            nz[j] += u32::from(ch[j] != 0.0);
        }
    }
    (acc.iter().sum(), nz.iter().map(|&c| c as usize).sum())
}

/// β at the start of the termination tail (step `K`), from the three tail pairs `(x, z)`:
/// in the tail the input is `u = D2 ⊕ D3` (feedback zero), one branch per state.
fn tail_beta(tail: &[(i16, i16); 3]) -> [i16; S] {
    let mut b = [i32::from(NEG); S];
    b[0] = 0;
    for &(xs, zp) in tail.iter().rev() {
        let mut nb = [0i32; S];
        for (s, v) in nb.iter_mut().enumerate() {
            let u = rsc_tail_input(s as u8);
            let (n, z) = rsc_step(s as u8, u);
            let g = if u == 0 { i32::from(xs) } else { 0 } + if z == 0 { i32::from(zp) } else { 0 };
            *v = b[usize::from(n)] + g;
        }
        let n0 = nb[0];
        for v in nb.iter_mut() {
            *v = (*v - n0).clamp(i32::from(NEG), -i32::from(NEG));
        }
        b = nb;
    }
    b.map(|v| v as i16)
}

/// State of one constituent decoder in lane layout.
#[derive(Debug, Clone)]
struct Constituent {
    /// Flat lane layout: slot `j·W + w` is step `j` of window `w`.
    sys: Vec<i16>,
    par: Vec<i16>,
    apri: Vec<i16>,
    alpha: StateMetrics,
    beta_edge: StateMetrics,
    tail: [i16; S],
}

impl Constituent {
    fn new(l: usize) -> Self {
        Constituent {
            sys: vec![0; W * l],
            par: vec![0; W * l],
            apri: vec![0; W * l],
            alpha: [[0; W]; S],
            beta_edge: [[0; W]; S],
            tail: [0; S],
        }
    }

    /// Resets the boundary metrics for a new block: window 0 in state 0, window 15 at the
    /// tail's β, the inner boundaries equiprobable.
    fn reset_edges(&mut self) {
        self.alpha = [[0; W]; S];
        self.beta_edge = [[0; W]; S];
        for s in 0..S {
            self.alpha[s][0] = if s == 0 { 0 } else { NEG };
            self.beta_edge[s][W - 1] = self.tail[s];
        }
    }

    /// After a pass: α at window ends and β at window starts become the neighbours' inits.
    fn pass_edges(&mut self) {
        for s in 0..S {
            for w in (1..W).rev() {
                self.alpha[s][w] = self.alpha[s][w - 1];
            }
            self.alpha[s][0] = if s == 0 { 0 } else { NEG };
            for w in 0..W - 1 {
                self.beta_edge[s][w] = self.beta_edge[s][w + 1];
            }
            self.beta_edge[s][W - 1] = self.tail[s];
        }
    }
}

/// Fixed-point iterative decoder state for one block size.
#[derive(Debug, Clone)]
pub(crate) struct FixedDecoder {
    k: usize,
    path: FixedPath,
    perm: Vec<u16>,
    /// Lane-layout index of natural position `i` (also of interleaved position `i`).
    idx: Vec<u16>,
    /// Lane-layout index of natural position `perm[i]`.
    idx_perm: Vec<u16>,
    /// For every decoder-2 slot, the decoder-1 slot its a-priori value comes from
    /// (`W·L`, an always-zero slot, for padding).
    from1: Vec<u16>,
    /// For every decoder-1 slot, the decoder-2 slot its a-priori value comes from.
    from2: Vec<u16>,
    d1: Constituent,
    d2: Constituent,
    ext: Vec<i16>,
    post: Vec<i16>,
    /// The quantised input, stream layout.
    qbuf: Vec<i16>,
    beta: Vec<StateMetrics>,
}

impl FixedDecoder {
    pub(crate) fn new(perm: &[u16], path: FixedPath) -> Self {
        let k = perm.len();
        let l = k.div_ceil(W);
        let pad = W * l - k;
        let index = |i: usize| -> u16 {
            let p = i + pad;
            ((p % l) * W + p / l) as u16
        };
        let idx: Vec<u16> = (0..k).map(index).collect();
        let idx_perm: Vec<u16> = perm.iter().map(|&p| index(usize::from(p))).collect();
        let zero_slot = (W * l) as u16;
        let mut from1 = vec![zero_slot; W * l];
        let mut from2 = vec![zero_slot; W * l];
        for (&n, &np) in idx.iter().zip(&idx_perm) {
            from1[usize::from(n)] = np;
            from2[usize::from(np)] = n;
        }
        let mut d1 = Constituent::new(l);
        let mut d2 = Constituent::new(l);
        // Padding steps: known zeros (the encoder would stay in state 0).
        for p in 0..pad {
            for d in [&mut d1, &mut d2] {
                d.sys[(p % l) * W + p / l] = CH_MAX;
                d.par[(p % l) * W + p / l] = CH_MAX;
            }
        }
        FixedDecoder {
            k,
            path,
            perm: perm.to_vec(),
            idx,
            idx_perm,
            from1,
            from2,
            d1,
            d2,
            // One extra, always-zero chunk: the source of the padding slots' a-priori values.
            ext: vec![0; W * (l + 1)],
            post: vec![0; W * l],
            qbuf: vec![0; 3 * (k + 4)],
            beta: vec![[[0; W]; S]; l + 1],
        }
    }

    /// Decodes a length-checked input (`3(K+4)` LLRs, stream layout) into `hard`.
    ///
    /// # Errors
    /// `NonFinite` if any LLR is NaN or infinite (checked here, fused with the scaling pass).
    pub(crate) fn decode(
        &mut self,
        llr: &[f32],
        opts: &TurboDecodeOptions,
        hard: &mut [u8],
    ) -> Result<TurboDecodeStats, PhyError> {
        let k = self.k;
        let d = k + 4;
        let f = opts.filler;
        // Scale: mean nonzero magnitude over the non-filler systematic and parity LLRs. The
        // f64 sum of all magnitudes is also the finiteness check (no finite f32 input can
        // overflow it).
        let (all_sum, all_cnt) = abs_sum(llr);
        if !all_sum.is_finite() {
            return Err(PhyError::NonFinite {
                what: "turbo decoder input",
            });
        }
        let (f0_sum, f0_cnt) = abs_sum(&llr[..f]);
        let (f1_sum, f1_cnt) = abs_sum(&llr[d..d + f]);
        let sum = all_sum - f0_sum - f1_sum;
        let cnt = all_cnt - f0_cnt - f1_cnt;
        let scale = if cnt > 0 && sum > 0.0 {
            (f64::from(MEAN_ABS_Q) * cnt as f64 / sum) as f32
        } else {
            1.0
        };
        for (q, &v) in self.qbuf.iter_mut().zip(llr) {
            *q = quantise(v, scale);
        }
        let (q0, rest) = self.qbuf.split_at(d);
        let (q1, q2) = rest.split_at(d);
        let (c1, c2) = (&mut self.d1, &mut self.d2);
        for (i, &n) in self.idx.iter().enumerate() {
            let n = usize::from(n);
            let known = i < f;
            c1.sys[n] = if known { CH_MAX } else { q0[i] };
            c1.par[n] = if known { CH_MAX } else { q1[i] };
            c2.par[n] = q2[i];
            c1.apri[n] = 0;
        }
        for (&n, &np) in self.idx.iter().zip(&self.idx_perm) {
            c2.sys[usize::from(n)] = c1.sys[usize::from(np)];
        }
        // Tail (§5.1.3.2.2): (x_K, z_K), (x_{K+1}, z_{K+1}), (x_{K+2}, z_{K+2}) and primed.
        let t1 = [(q0[k], q1[k]), (q2[k], q0[k + 1]), (q1[k + 1], q2[k + 1])];
        let t2 = [
            (q0[k + 2], q1[k + 2]),
            (q2[k + 2], q0[k + 3]),
            (q1[k + 3], q2[k + 3]),
        ];
        self.d1.tail = tail_beta(&t1);
        self.d2.tail = tail_beta(&t2);
        self.d1.reset_edges();
        self.d2.reset_edges();
        let mut stats = TurboDecodeStats {
            iterations: 0,
            crc_ok: None,
        };
        for it in 1..=opts.max_iterations {
            self.half(true);
            gather(self.path, &mut self.d2.apri, &self.ext, &self.from1);
            self.half(false);
            gather(self.path, &mut self.d1.apri, &self.ext, &self.from2);
            if opts.crc.is_some() || it == opts.max_iterations {
                for (&n, &p) in self.idx.iter().zip(&self.perm) {
                    hard[usize::from(p)] = u8::from(self.post[usize::from(n)] < 0);
                }
            }
            stats.iterations = it;
            if let Some(kind) = opts.crc {
                let ok = crc_check_masked(kind, hard, 0);
                stats.crc_ok = Some(ok);
                if ok {
                    break;
                }
            }
        }
        Ok(stats)
    }

    /// One constituent decoder pass (decoder 1 if `first`), extrinsic into `self.ext`.
    fn half(&mut self, first: bool) {
        let c = if first { &mut self.d1 } else { &mut self.d2 };
        siso(
            self.path,
            SisoIo {
                sys: c.sys.as_chunks().0,
                par: c.par.as_chunks().0,
                apri: c.apri.as_chunks().0,
                alpha: &mut c.alpha,
                beta_edge: &mut c.beta_edge,
                beta: &mut self.beta,
                ext: &mut self.ext.as_chunks_mut().0[..c.sys.len() / W],
                post: self.post.as_chunks_mut().0,
            },
        );
        c.pass_edges();
    }

    /// Scaled extrinsic and a-posteriori LLRs of the last constituent pass, in the natural
    /// order of that pass (tests).
    #[cfg(test)]
    pub(crate) fn last_llrs(&self) -> (Vec<i16>, Vec<i16>) {
        let ext = self.idx.iter().map(|&n| self.ext[usize::from(n)]).collect();
        let post = self
            .idx
            .iter()
            .map(|&n| self.post[usize::from(n)])
            .collect();
        (ext, post)
    }
}
