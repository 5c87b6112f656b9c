// The GEMM's WebAssembly source, generated as WAT text (assembled by wasm-gemm.ts with the `wabt` npm package).
//
// Layout of the computation (GotoBLAS / BLIS): C (M×N) += op(A) (M×K) · op(B) (K×N), all row-major, with
//   for jc in N by NC:  for pc in K by KC:  pack op(B)[pc.., jc..] into KC×8 column panels (zero-padded)
//     for ic in M by MC:  pack op(A)[ic.., pc..] into KC×MR row panels (zero-padded)
//       for each 8-column panel jr:  for each MR-row panel ir:  MR×8 micro-kernel over KC
// The micro-kernel holds the MR×8 tile of C in 2·MR v128 registers; per k it loads two v128 of B and MR
// splats of A and does 2·MR multiply-adds (f32x4.relaxed_madd, one fused FMA on x86-64/arm64, or
// f32x4.mul + f32x4.add where relaxed SIMD is missing). Packing makes every inner-loop load contiguous and
// handles transposes and ragged edges in one place: the micro-kernel only ever sees full tiles (edge tiles go
// through a scratch tile). Every C element is the same chain of operations in the same k order whatever M,
// N, the blocking of M and N or the split between threads: results do not depend on the thread count.

/** Micro-kernel and blocking constants; the defaults were tuned on the bench machine (bench/README.md). */
export interface GemmBlocking {
  /** Rows of the micro-kernel's tile (2·MR + 3 v128 registers are live; x86-64 has 16). */
  MR: number;
  /** K block: one KC×8 panel of B (8 KiB at 256) stays in L1 while the A panels stream past. */
  KC: number;
  /** M block (a multiple of MR): the packed KC×MC block of A (64 KiB at 64×256) stays in L2. */
  MC: number;
  /** N block (a multiple of 8): the packed KC×NC block of B. */
  NC: number;
}

export const DEFAULT_BLOCKING: GemmBlocking = { MR: 4, KC: 256, MC: 64, NC: 512 };

/** Floats of scratch one thread needs: packed A, packed B, one edge tile. */
export function scratchFloats(b: GemmBlocking): number {
  return b.MC * b.KC + b.KC * b.NC + b.MR * 8;
}

const get = (name: string) => `(local.get $${name})`;
const set = (name: string, value: string) => `(local.set $${name} ${value})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const c32 = (n: number) => `(i32.const ${n})`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * `for (name = 0; name < limit; name += step) body` as WAT; `limit` is an i32 expression re-evaluated per test.
 */
function forLoop(name: string, limit: string, step: number | string, body: string[]): string {
  const inc = typeof step === 'number' ? c32(step) : step;
  return `${set(name, c32(0))}
    (block $${name}_end (loop $${name}_loop
      (br_if $${name}_end (i32.ge_u ${get(name)} ${limit}))
      ${body.join('\n      ')}
      ${set(name, add(get(name), inc))}
      (br $${name}_loop)))`;
}

/**
 * micro(pa, pb, kc, c, ldc, beta): the MR×8 tile at c (row stride ldc bytes) = beta·tile + Σ_k pa[k]ᵀ pb[k],
 * pa: KC×MR packed A panel, pb: KC×8 packed B panel, kc ≥ 1.
 */
function microKernel(MR: number, relaxed: boolean): string {
  const rows = range(MR);
  const acc = (r: number, h: number) => `c${r}${h}`;
  const madd = (r: number, h: number) =>
    relaxed
      ? set(acc(r, h), `(f32x4.relaxed_madd ${get('a')} ${get(`b${h}`)} ${get(acc(r, h))})`)
      : set(acc(r, h), `(f32x4.add ${get(acc(r, h))} (f32x4.mul ${get('a')} ${get(`b${h}`)}))`);
  return `(func $micro (param $pa i32) (param $pb i32) (param $kc i32) (param $c i32) (param $ldc i32) (param $beta i32)
    (local $q i32) (local $a v128) (local $b0 v128) (local $b1 v128)
    ${rows.map((r) => `(local $${acc(r, 0)} v128) (local $${acc(r, 1)} v128)`).join(' ')}
    (if ${get('beta')} (then
      ${set('q', get('c'))}
      ${rows
        .map(
          (r) =>
            `${set(acc(r, 0), `(v128.load ${get('q')})`)} ${set(acc(r, 1), `(v128.load offset=16 ${get('q')})`)} ` +
            set('q', add(get('q'), get('ldc'))),
        )
        .join('\n      ')}))
    (loop $k
      ${set('b0', `(v128.load ${get('pb')})`)}
      ${set('b1', `(v128.load offset=16 ${get('pb')})`)}
      ${rows
        .map(
          (r) =>
            `${set('a', `(v128.load32_splat offset=${4 * r} ${get('pa')})`)} ${madd(r, 0)} ${madd(r, 1)}`,
        )
        .join('\n      ')}
      ${set('pa', add(get('pa'), c32(4 * MR)))}
      ${set('pb', add(get('pb'), c32(32)))}
      ${set('kc', `(i32.sub ${get('kc')} ${c32(1)})`)}
      (br_if $k ${get('kc')}))
    ${set('q', get('c'))}
    ${rows
      .map(
        (r) =>
          `(v128.store ${get('q')} ${get(acc(r, 0))}) (v128.store offset=16 ${get('q')} ${get(acc(r, 1))}) ` +
          set('q', add(get('q'), get('ldc'))),
      )
      .join('\n    ')})`;
}

/** edge(pa, pb, kc, c, ldc, beta, mr, nr, tile): the micro-kernel on an mr×nr corner, through a scratch tile. */
function edgeKernel(): string {
  const cAt = add(add(get('c'), mul(get('r'), get('ldc'))), `(i32.shl ${get('j')} ${c32(2)})`);
  const tAt = add(get('tile'), `(i32.shl ${add(`(i32.shl ${get('r')} ${c32(3)})`, get('j'))} ${c32(2)})`);
  const copy = (from: string, to: string) =>
    forLoop('r', get('mr'), 1, [forLoop('j', get('nr'), 1, [`(f32.store ${to} (f32.load ${from}))`])]);
  return `(func $edge (param $pa i32) (param $pb i32) (param $kc i32) (param $c i32) (param $ldc i32) (param $beta i32)
      (param $mr i32) (param $nr i32) (param $tile i32)
    (local $r i32) (local $j i32)
    (if ${get('beta')} (then ${copy(cAt, tAt)}))
    (call $micro ${get('pa')} ${get('pb')} ${get('kc')} ${get('tile')} ${c32(32)} ${get('beta')})
    ${copy(tAt, cAt)})`;
}

/**
 * packA(a, rs, cs, mc, kc, ap): rows [0, mc) and columns [0, kc) of a matrix whose (i, k) element is at
 * a + i·rs + k·cs (bytes) into row panels of MR: panel p holds [k][MR] (rows past mc are zero).
 */
function packA(MR: number): string {
  const src = add(add(get('a'), mul(get('i'), get('rs'))), mul(get('k'), get('cs')));
  if (MR !== 4)
    return `(func $packA (param $a i32) (param $rs i32) (param $cs i32) (param $mc i32) (param $kc i32) (param $ap i32)
    (local $p i32) (local $k i32) (local $r i32) (local $i i32) (local $out i32)
    ${set('out', get('ap'))}
    ${forLoop('p', get('mc'), MR, [forLoop('k', get('kc'), 1, [forLoop('r', c32(MR), 1, [set('i', add(get('p'), get('r'))), `(f32.store ${get('out')} (if (result f32) (i32.lt_u ${get('i')} ${get('mc')}) (then (f32.load ${src})) (else (f32.const 0))))`, set('out', add(get('out'), c32(4)))])])])})`;
  // MR = 4: a full panel of a transposed A (rs = 4) is one v128 per k; of a row-major A (cs = 4), four rows of four
  // k are loaded and transposed with shuffles; partial panels and the kc mod 4 tail go element by element.
  const row = (r: number) =>
    `(v128.load ${add(get('a'), add(mul(add(get('p'), c32(r)), get('rs')), `(i32.shl ${get('k')} ${c32(2)})`))})`;
  const shuf = (x: string, y: string, lanes: number[]) =>
    `(i8x16.shuffle ${lanes.flatMap((l) => [0, 1, 2, 3].map((b) => 4 * l + b)).join(' ')} ${get(x)} ${get(y)})`;
  const element = [
    forLoop('r', c32(4), 1, [
      set('i', add(get('p'), get('r'))),
      `(f32.store ${get('out')} (if (result f32) (i32.lt_u ${get('i')} ${get('mc')}) (then (f32.load ${src})) (else (f32.const 0))))`,
      set('out', add(get('out'), c32(4))),
    ]),
  ];
  return `(func $packA (param $a i32) (param $rs i32) (param $cs i32) (param $mc i32) (param $kc i32) (param $ap i32)
    (local $p i32) (local $k i32) (local $r i32) (local $i i32) (local $out i32) (local $full i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $x v128) (local $y v128) (local $z v128) (local $w v128)
    ${set('out', get('ap'))}
    ${forLoop('p', get('mc'), 4, [
      set('full', `(i32.le_u ${add(get('p'), c32(4))} ${get('mc')})`),
      `(if (i32.and ${get('full')} (i32.eq ${get('rs')} ${c32(4)}))
        (then ${forLoop('k', get('kc'), 1, [
          `(v128.store ${get('out')} (v128.load ${add(add(get('a'), `(i32.shl ${get('p')} ${c32(2)})`), mul(get('k'), get('cs')))}))`,
          set('out', add(get('out'), c32(16))),
        ])})
        (else (if (i32.and ${get('full')} (i32.eq ${get('cs')} ${c32(4)}))
          (then
            ${set('k', c32(0))}
            (block $k4_end (loop $k4
              (br_if $k4_end (i32.gt_u ${add(get('k'), c32(4))} ${get('kc')}))
              ${set('r0', row(0))} ${set('r1', row(1))} ${set('r2', row(2))} ${set('r3', row(3))}
              ${set('x', shuf('r0', 'r1', [0, 4, 1, 5]))}
              ${set('y', shuf('r0', 'r1', [2, 6, 3, 7]))}
              ${set('z', shuf('r2', 'r3', [0, 4, 1, 5]))}
              ${set('w', shuf('r2', 'r3', [2, 6, 3, 7]))}
              (v128.store ${get('out')} ${shuf('x', 'z', [0, 1, 4, 5])})
              (v128.store offset=16 ${get('out')} ${shuf('x', 'z', [2, 3, 6, 7])})
              (v128.store offset=32 ${get('out')} ${shuf('y', 'w', [0, 1, 4, 5])})
              (v128.store offset=48 ${get('out')} ${shuf('y', 'w', [2, 3, 6, 7])})
              ${set('out', add(get('out'), c32(64)))}
              ${set('k', add(get('k'), c32(4)))}
              (br $k4)))
            (block $kt_end (loop $kt
              (br_if $kt_end (i32.ge_u ${get('k')} ${get('kc')}))
              ${element.join('\n')}
              ${set('k', add(get('k'), c32(1)))}
              (br $kt))))
          (else ${forLoop('k', get('kc'), 1, element)}))))`,
    ])})`;
}

/**
 * packB(b, rs, cs, kc, nc, bp): rows [0, kc) and columns [0, nc) of a matrix whose (k, j) element is at
 * b + k·rs + j·cs (bytes) into column panels of 8: panel q holds [k][8] (columns past nc are zero). Full panels
 * of a row-major matrix (cs = 4) are copied two v128 at a time.
 */
function packB(): string {
  const src = add(add(get('b'), mul(get('k'), get('rs'))), mul(get('j'), get('cs')));
  const row = add(get('b'), add(mul(get('k'), get('rs')), `(i32.shl ${get('q')} ${c32(2)})`));
  return `(func $packB (param $b i32) (param $rs i32) (param $cs i32) (param $kc i32) (param $nc i32) (param $bp i32)
    (local $q i32) (local $k i32) (local $c i32) (local $j i32) (local $out i32) (local $src i32)
    ${set('out', get('bp'))}
    ${forLoop('q', get('nc'), 8, [
      `(if (i32.and (i32.eq ${get('cs')} ${c32(4)}) (i32.le_u ${add(get('q'), c32(8))} ${get('nc')}))
        (then
          ${forLoop('k', get('kc'), 1, [
            set('src', row),
            `(v128.store ${get('out')} (v128.load ${get('src')}))`,
            `(v128.store offset=16 ${get('out')} (v128.load offset=16 ${get('src')}))`,
            set('out', add(get('out'), c32(32))),
          ])})
        (else
          ${forLoop('k', get('kc'), 1, [
            forLoop('c', c32(8), 1, [
              set('j', add(get('q'), get('c'))),
              `(f32.store ${get('out')} (if (result f32) (i32.lt_u ${get('j')} ${get('nc')}) (then (f32.load ${src})) (else (f32.const 0))))`,
              set('out', add(get('out'), c32(4))),
            ]),
          ])}))`,
    ])})`;
}

/**
 * The size of ⌈n/max⌉ equal blocks covering n, an i32 expression: ⌈n / ⌈n/max⌉⌉ ≤ max. Why: K blocks of KC and a
 * ragged last one (K = 257 gave 256 and 1) cost the last block a whole pass over C and its packing for one
 * multiply-add per element.
 */
function evenBlock(n: string, max: number): string {
  const blocks = `(i32.div_u ${add(n, c32(max - 1))} ${c32(max)})`;
  return `(i32.div_u ${add(n, `(i32.sub ${blocks} ${c32(1)})`)} ${blocks})`;
}

/**
 * gemm(tA, tB, M, N, K, a, lda, b, ldb, c, ldc, beta, scratch) (pointers in bytes, leading dimensions in floats,
 * M, N, K ≥ 1): C = op(A)·op(B) + beta·C; scratch holds MC·KC + KC·NC + MR·8 floats (packed A, packed B, edge tile).
 */
function driver(bl: GemmBlocking, packed: boolean): string {
  const { MR, KC, MC, NC } = bl;
  const min = (a: string, b: string) => `(select ${a} ${b} (i32.lt_u ${a} ${b}))`;
  const header = packed
    ? `(func (export "gemmP") (param $tA i32) (param $M i32) (param $N i32) (param $K i32)
      (param $a i32) (param $lda i32) (param $pk i32) (param $npad i32) (param $j0 i32) (param $c i32) (param $ldc i32)
      (param $beta i32) (param $scratch i32)`
    : `(func (export "gemm") (param $tA i32) (param $tB i32) (param $M i32) (param $N i32) (param $K i32)
      (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)
      (param $beta i32) (param $scratch i32)`;
  // Unpacked: pack op(B)'s (jc, pc) block into scratch. Packed: the block is already at
  // pk + 4·(pc·npad + (j0 + jc)·kc) (packBAll's layout), j0 being the slab's first column.
  const blockB = packed
    ? set(
        'bp',
        add(
          get('pk'),
          `(i32.shl ${add(mul(get('pc'), get('npad')), mul(add(get('j0'), get('jc')), get('kc')))} ${c32(2)})`,
        ),
      )
    : `(call $packB ${add(get('b'), add(mul(get('pc'), get('rsB')), mul(get('jc'), get('csB'))))} ${get('rsB')} ${get('csB')} ${get('kc')} ${get('nc')} ${get('bp')})`;
  return `${header}
    (local $rsA i32) (local $csA i32) (local $rsB i32) (local $csB i32) (local $ldcB i32)
    (local $ap i32) (local $bp i32) (local $tile i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ks i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $nr i32) (local $ir i32) (local $mr i32) (local $bb i32) (local $pa i32) (local $pb i32) (local $cp i32)
    ${set('rsA', `(if (result i32) ${get('tA')} (then ${c32(4)}) (else (i32.shl ${get('lda')} ${c32(2)})))`)}
    ${set('csA', `(if (result i32) ${get('tA')} (then (i32.shl ${get('lda')} ${c32(2)})) (else ${c32(4)}))`)}
    ${packed ? '' : set('rsB', `(if (result i32) ${get('tB')} (then ${c32(4)}) (else (i32.shl ${get('ldb')} ${c32(2)})))`)}
    ${packed ? '' : set('csB', `(if (result i32) ${get('tB')} (then (i32.shl ${get('ldb')} ${c32(2)})) (else ${c32(4)}))`)}
    ${set('ldcB', `(i32.shl ${get('ldc')} ${c32(2)})`)}
    ${set('ap', get('scratch'))}
    ${set('bp', add(get('scratch'), c32(4 * MC * KC)))}
    ${set('tile', add(get('bp'), c32(4 * KC * NC)))}
    ${set('ks', evenBlock(get('K'), KC))}
    ${forLoop('jc', get('N'), NC, [
      set('nc', min(c32(NC), `(i32.sub ${get('N')} ${get('jc')})`)),
      forLoop('pc', get('K'), get('ks'), [
        set('kc', min(get('ks'), `(i32.sub ${get('K')} ${get('pc')})`)),
        set('bb', `(select ${get('beta')} ${c32(1)} (i32.eqz ${get('pc')}))`),
        blockB,
        forLoop('ic', get('M'), MC, [
          set('mc', min(c32(MC), `(i32.sub ${get('M')} ${get('ic')})`)),
          `(call $packA ${add(get('a'), add(mul(get('ic'), get('rsA')), mul(get('pc'), get('csA'))))} ${get('rsA')} ${get('csA')} ${get('mc')} ${get('kc')} ${get('ap')})`,
          forLoop('jr', get('nc'), 8, [
            set('nr', min(c32(8), `(i32.sub ${get('nc')} ${get('jr')})`)),
            set('pb', add(get('bp'), `(i32.shl ${mul(get('jr'), get('kc'))} ${c32(2)})`)),
            forLoop('ir', get('mc'), MR, [
              set('mr', min(c32(MR), `(i32.sub ${get('mc')} ${get('ir')})`)),
              set('pa', add(get('ap'), `(i32.shl ${mul(get('ir'), get('kc'))} ${c32(2)})`)),
              set(
                'cp',
                add(
                  get('c'),
                  add(
                    mul(add(get('ic'), get('ir')), get('ldcB')),
                    `(i32.shl ${add(get('jc'), get('jr'))} ${c32(2)})`,
                  ),
                ),
              ),
              `(if (i32.and (i32.eq ${get('mr')} ${c32(MR)}) (i32.eq ${get('nr')} ${c32(8)}))
                (then (call $micro ${get('pa')} ${get('pb')} ${get('kc')} ${get('cp')} ${get('ldcB')} ${get('bb')}))
                (else (call $edge ${get('pa')} ${get('pb')} ${get('kc')} ${get('cp')} ${get('ldcB')} ${get('bb')} ${get('mr')} ${get('nr')} ${get('tile')})))`,
            ]),
          ]),
        ]),
      ]),
    ])})`;
}

/**
 * packBAll(tB, K, N, b, ldb, dst): op(B) (K×N) packed once for gemmP: for each K block pc (the driver's even
 * blocks), packB of all N columns at dst + 4·pc·npad, npad = N rounded up to 8. Column panel q of block pc is then
 * at dst + 4·(pc·npad + 8q·kc), exactly what the driver's packB writes for the (jc, pc) block holding it.
 */
function packBAll(KC: number): string {
  return `(func (export "packBAll") (param $tB i32) (param $K i32) (param $N i32) (param $b i32) (param $ldb i32) (param $dst i32)
    (local $rsB i32) (local $csB i32) (local $ks i32) (local $pc i32) (local $kc i32) (local $npad i32)
    ${set('rsB', `(if (result i32) ${get('tB')} (then ${c32(4)}) (else (i32.shl ${get('ldb')} ${c32(2)})))`)}
    ${set('csB', `(if (result i32) ${get('tB')} (then (i32.shl ${get('ldb')} ${c32(2)})) (else ${c32(4)}))`)}
    ${set('npad', `(i32.and ${add(get('N'), c32(7))} ${c32(-8)})`)}
    ${set('ks', evenBlock(get('K'), KC))}
    ${forLoop('pc', get('K'), get('ks'), [
      set(
        'kc',
        `(select ${get('ks')} (i32.sub ${get('K')} ${get('pc')}) (i32.lt_u ${get('ks')} (i32.sub ${get('K')} ${get('pc')})))`,
      ),
      `(call $packB ${add(get('b'), mul(get('pc'), get('rsB')))} ${get('rsB')} ${get('csB')} ${get('kc')} ${get('N')} ${add(get('dst'), `(i32.shl ${mul(get('pc'), get('npad'))} ${c32(2)})`)})`,
    ])})`;
}

/** acc + a·b on f32x4: one fused multiply-add with relaxed SIMD, else a multiply and an add. */
const madd = (relaxed: boolean, a: string, b: string, acc: string) =>
  relaxed ? `(f32x4.relaxed_madd ${a} ${b} ${acc})` : `(f32x4.add ${acc} (f32x4.mul ${a} ${b}))`;

/**
 * Products with fewer than 8 columns (C = A·w for a weight with D < 8 columns: ∂L/∂x, ∂L/∂V), where the 8-wide
 * micro-kernel would waste most of its work.
 * dotN(M, N, K, a, lda, bt, c, ldc, beta): A not transposed; bt holds op(B)ᵀ (N×K contiguous); each C element is
 *   a SIMD dot product over k (two 4-lane accumulators, then lanes, then the K mod 4 tail) plus beta·C.
 * axpyN(M, N, K, a, lda, b, ldb, tB, c, ldc, beta): A transposed (stored K×M); SIMD over the rows of C: for each
 *   column j, blocks of 16 (then 4, then 1) rows accumulate Σ_k A[k, i..] · op(B)[k, j] in k order. Row blocks start
 *   at multiples of 16, so a split of M at multiples of 16 computes every element the same way.
 */
function narrowKernels(relaxed: boolean): string {
  const L = (n: string) => `(local.get $${n})`;
  const put = (pc: string, x: string) => `(call $put ${pc} ${x} ${L('beta')})`;
  const lanes = (acc: string, base: string) =>
    [0, 1, 2, 3]
      .map((l) =>
        put(`(i32.add ${base} (i32.mul (i32.const ${l}) ${L('ldcB')}))`, `(f32x4.extract_lane ${l} ${acc})`),
      )
      .join(' ');
  const rowBlock = (rows: number) => {
    const accs = Array.from({ length: Math.max(1, rows / 4) }, (_, r) => `acc${r}`);
    const load = (r: number) =>
      rows === 1 ? `(v128.load32_splat ${L('pa')})` : `(v128.load offset=${16 * r} ${L('pa')})`;
    return `
        ${accs.map((a) => `(local.set $${a} (v128.const i32x4 0 0 0 0))`).join(' ')}
        (local.set $pa (i32.add ${L('a')} (i32.shl ${L('i')} (i32.const 2))))
        (local.set $pb ${L('b0')})
        (local.set $k ${L('K')})
        (loop $k
          (local.set $bs (v128.load32_splat ${L('pb')}))
          ${accs.map((a, r) => `(local.set $${a} ${madd(relaxed, load(r), L('bs'), L(a))})`).join(' ')}
          (local.set $pa (i32.add ${L('pa')} ${L('ldaB')}))
          (local.set $pb (i32.add ${L('pb')} ${L('stepB')}))
          (local.set $k (i32.sub ${L('k')} (i32.const 1)))
          (br_if $k ${L('k')}))
        (local.set $pc (i32.add ${L('c')} (i32.add (i32.mul ${L('i')} ${L('ldcB')}) (i32.shl ${L('j')} (i32.const 2)))))
        ${
          rows === 1
            ? put(L('pc'), `(f32x4.extract_lane 0 ${L('acc0')})`)
            : accs
                .map((a, r) =>
                  lanes(L(a), `(i32.add ${L('pc')} (i32.mul (i32.const ${4 * r}) ${L('ldcB')}))`),
                )
                .join('\n        ')
        }
        (local.set $i (i32.add ${L('i')} (i32.const ${rows})))`;
  };
  const whileLoop = (name: string, cond: string, body: string) =>
    `(block $${name}_end (loop $${name} (br_if $${name}_end (i32.eqz ${cond})) ${body} (br $${name})))`;
  return `
  (func $put (param $pc i32) (param $x f32) (param $beta i32)
    (f32.store (local.get $pc)
      (if (result f32) (local.get $beta) (then (f32.add (f32.load (local.get $pc)) (local.get $x))) (else (local.get $x)))))
  (func (export "dotN") (param $M i32) (param $N i32) (param $K i32) (param $a i32) (param $lda i32) (param $bt i32)
      (param $c i32) (param $ldc i32) (param $beta i32)
    (local $i i32) (local $j i32) (local $k i32) (local $pa i32) (local $pb i32) (local $k8 i32) (local $k4 i32)
    (local $acc0 v128) (local $acc1 v128) (local $r f32)
    (local.set $k8 (i32.and ${L('K')} (i32.const -8)))
    (local.set $k4 (i32.and ${L('K')} (i32.const -4)))
    (local.set $i (i32.const 0))
    ${whileLoop(
      'rows',
      `(i32.lt_u ${L('i')} ${L('M')})`,
      `(local.set $j (i32.const 0))
      ${whileLoop(
        'cols',
        `(i32.lt_u ${L('j')} ${L('N')})`,
        `(local.set $pa (i32.add ${L('a')} (i32.shl (i32.mul ${L('i')} ${L('lda')}) (i32.const 2))))
        (local.set $pb (i32.add ${L('bt')} (i32.shl (i32.mul ${L('j')} ${L('K')}) (i32.const 2))))
        (local.set $acc0 (v128.const i32x4 0 0 0 0)) (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        ${whileLoop(
          'k8',
          `(i32.lt_u ${L('k')} ${L('k8')})`,
          `(local.set $acc0 ${madd(relaxed, `(v128.load ${L('pa')})`, `(v128.load ${L('pb')})`, L('acc0'))})
          (local.set $acc1 ${madd(relaxed, `(v128.load offset=16 ${L('pa')})`, `(v128.load offset=16 ${L('pb')})`, L('acc1'))})
          (local.set $pa (i32.add ${L('pa')} (i32.const 32))) (local.set $pb (i32.add ${L('pb')} (i32.const 32)))
          (local.set $k (i32.add ${L('k')} (i32.const 8)))`,
        )}
        (if (i32.lt_u ${L('k')} ${L('k4')}) (then
          (local.set $acc0 ${madd(relaxed, `(v128.load ${L('pa')})`, `(v128.load ${L('pb')})`, L('acc0'))})
          (local.set $pa (i32.add ${L('pa')} (i32.const 16))) (local.set $pb (i32.add ${L('pb')} (i32.const 16)))
          (local.set $k (i32.add ${L('k')} (i32.const 4)))))
        (local.set $acc0 (f32x4.add ${L('acc0')} ${L('acc1')}))
        (local.set $acc0 (f32x4.add ${L('acc0')} (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${L('acc0')} ${L('acc0')})))
        (local.set $r (f32.add (f32x4.extract_lane 0 ${L('acc0')}) (f32x4.extract_lane 1 ${L('acc0')})))
        ${whileLoop(
          'tail',
          `(i32.lt_u ${L('k')} ${L('K')})`,
          `(local.set $r (f32.add ${L('r')} (f32.mul (f32.load ${L('pa')}) (f32.load ${L('pb')}))))
          (local.set $pa (i32.add ${L('pa')} (i32.const 4))) (local.set $pb (i32.add ${L('pb')} (i32.const 4)))
          (local.set $k (i32.add ${L('k')} (i32.const 1)))`,
        )}
        (call $put (i32.add ${L('c')} (i32.shl (i32.add (i32.mul ${L('i')} ${L('ldc')}) ${L('j')}) (i32.const 2)))
          ${L('r')} ${L('beta')})
        (local.set $j (i32.add ${L('j')} (i32.const 1)))`,
      )}
      (local.set $i (i32.add ${L('i')} (i32.const 1)))`,
    )})
  (func (export "axpyN") (param $M i32) (param $N i32) (param $K i32) (param $a i32) (param $lda i32) (param $b i32)
      (param $ldb i32) (param $tB i32) (param $c i32) (param $ldc i32) (param $beta i32)
    (local $i i32) (local $j i32) (local $k i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $b0 i32)
    (local $ldaB i32) (local $ldcB i32) (local $stepB i32) (local $i16 i32) (local $i4 i32)
    (local $bs v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $ldaB (i32.shl ${L('lda')} (i32.const 2)))
    (local.set $ldcB (i32.shl ${L('ldc')} (i32.const 2)))
    (local.set $stepB (if (result i32) ${L('tB')} (then (i32.const 4)) (else (i32.shl ${L('ldb')} (i32.const 2)))))
    (local.set $i16 (i32.and ${L('M')} (i32.const -16)))
    (local.set $i4 (i32.and ${L('M')} (i32.const -4)))
    (local.set $j (i32.const 0))
    ${whileLoop(
      'cols',
      `(i32.lt_u ${L('j')} ${L('N')})`,
      `(local.set $b0 (i32.add ${L('b')} (if (result i32) ${L('tB')}
          (then (i32.shl (i32.mul ${L('j')} ${L('ldb')}) (i32.const 2))) (else (i32.shl ${L('j')} (i32.const 2))))))
      (local.set $i (i32.const 0))
      ${whileLoop('b16', `(i32.lt_u ${L('i')} ${L('i16')})`, rowBlock(16))}
      ${whileLoop('b4', `(i32.lt_u ${L('i')} ${L('i4')})`, rowBlock(4))}
      ${whileLoop('b1', `(i32.lt_u ${L('i')} ${L('M')})`, rowBlock(1))}
      (local.set $j (i32.add ${L('j')} (i32.const 1)))`,
    )})
  (func (export "transpose") (param $src i32) (param $rows i32) (param $cols i32) (param $ld i32) (param $dst i32)
    ;; dst[c·rows + r] = src[r·ld + c]
    (local $r i32) (local $c i32)
    (local.set $c (i32.const 0))
    ${whileLoop(
      'tc',
      `(i32.lt_u ${L('c')} ${L('cols')})`,
      `(local.set $r (i32.const 0))
      ${whileLoop(
        'tr',
        `(i32.lt_u ${L('r')} ${L('rows')})`,
        `(f32.store (i32.add ${L('dst')} (i32.shl (i32.add (i32.mul ${L('c')} ${L('rows')}) ${L('r')}) (i32.const 2)))
          (f32.load (i32.add ${L('src')} (i32.shl (i32.add (i32.mul ${L('r')} ${L('ld')}) ${L('c')}) (i32.const 2)))))
        (local.set $r (i32.add ${L('r')} (i32.const 1)))`,
      )}
      (local.set $c (i32.add ${L('c')} (i32.const 1)))`,
    )})`;
}

/**
 * The whole module: imports a shared memory `env.memory`, exports `gemm`, `gemmP` (gemm on a B packed by
 * `packBAll`), `packBAll`, `dotN`, `axpyN` and `transpose`.
 */
export function gemmWat(blocking: GemmBlocking, relaxed: boolean): string {
  const { MR, MC, NC } = blocking;
  if (MC % MR !== 0 || NC % 8 !== 0) throw new Error('GEMM blocking: MC must be a multiple of MR, NC of 8');
  return `(module
  (import "env" "memory" (memory 1 65536 shared))
  ${microKernel(MR, relaxed)}
  ${edgeKernel()}
  ${packA(MR)}
  ${packB()}
  ${driver(blocking, false)}
  ${driver(blocking, true)}
  ${packBAll(blocking.KC)}
  ${narrowKernels(relaxed)})`;
}

/** A module whose only instruction is f32x4.relaxed_madd: validates where relaxed SIMD is supported. */
export const RELAXED_PROBE_WAT = `(module (func (param v128 v128 v128) (result v128)
  (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))`;
