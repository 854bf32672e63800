//! Places the nodes of an already-chosen graph on the plane, deterministically and in
//! near-linear time. Four steps: a spiral start (most connected in the middle), a
//! Fruchterman–Reingold force simulation with a fixed number of iterations and a grid so
//! repulsion only looks at nearby nodes, a rotation and scaling that turn the abstract layout
//! into pixels with the requested aspect ratio, and an overlap-removal pass that pushes apart
//! any two nodes whose circle-plus-label boxes touch, so labels never pile up. It must not
//! use randomness, wall-clock time, hash iteration order or libm functions (`sin`, `atan2`…,
//! whose last bits vary by platform): only + − × ÷ and √, which IEEE 754 rounds the same
//! everywhere, in a fixed order, so the same input gives the same bytes on any machine.

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Point {
    pub x: f64,
    pub y: f64,
}

/// What a node occupies on the page: its circle and its label, written centred under it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct NodeSize {
    pub radius: f64,
    pub label_width: f64,
    pub label_height: f64,
}

pub(super) struct LayoutInput<'a> {
    pub sizes: &'a [NodeSize],
    /// Pairs of node indices, `a < b`, without duplicates.
    pub links: &'a [(usize, usize)],
    pub degrees: &'a [usize],
    /// A node kept at the centre (the note whose neighbourhood is drawn).
    pub pinned: Option<usize>,
    /// Wanted width / height of the drawing.
    pub aspect: f64,
}

pub(super) struct Placed {
    /// Node centres in px, inside `0..width` × `0..height`.
    pub positions: Vec<Point>,
    pub width: f64,
    pub height: f64,
}

/// Space between a circle and the top of its label.
const LABEL_GAP: f64 = 2.0;
/// Space kept free around each node's box.
const BOX_PADDING: f64 = 4.0;
/// Margin around the whole drawing.
const MARGIN: f64 = 8.0;
/// Repulsion reaches this many ideal edge lengths; beyond it nodes ignore each other.
const REPULSION_REACH: f64 = 3.0;
/// Pull of every node towards the middle, so loose nodes and small components stay close.
const GRAVITY: f64 = 0.08;
const MAX_OVERLAP_PASSES: usize = 150;

/// Where the label's baseline starts (text-anchor middle) for a node at `centre`.
pub(super) fn label_baseline(centre: Point, size: &NodeSize) -> Point {
    Point {
        x: centre.x,
        y: centre.y + size.radius + LABEL_GAP + size.label_height * 0.8,
    }
}

/// The box a node needs (circle and label below it), as offsets from its centre:
/// (left, top, right, bottom), padding included.
fn node_box(size: &NodeSize) -> (f64, f64, f64, f64) {
    let half_width = size.radius.max(size.label_width / 2.0) + BOX_PADDING;
    (
        -half_width,
        -size.radius - BOX_PADDING,
        half_width,
        size.radius + LABEL_GAP + size.label_height * 1.05 + BOX_PADDING,
    )
}

pub(super) fn place(input: &LayoutInput) -> Placed {
    let n = input.sizes.len();
    if n == 0 {
        return Placed {
            positions: Vec::new(),
            width: 320.0,
            height: 64.0,
        };
    }
    let mut positions = spiral_start(input.degrees, input.pinned);
    relax_forces(&mut positions, input.links, input.pinned);
    rotate_to_principal_axis(&mut positions);
    scale_to_pixels(&mut positions, input.sizes, input.aspect);
    remove_overlaps(&mut positions, input.sizes);
    fit_to_origin(positions, input.sizes)
}

/// Nodes on a golden-angle spiral, the most connected (or the pinned one) first, i.e. in
/// the middle; the spiral has no symmetry for the forces to get stuck on.
fn spiral_start(degrees: &[usize], pinned: Option<usize>) -> Vec<Point> {
    let n = degrees.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let a_pinned = pinned == Some(a);
        let b_pinned = pinned == Some(b);
        b_pinned
            .cmp(&a_pinned)
            .then(degrees[b].cmp(&degrees[a]))
            .then(a.cmp(&b))
    });
    // Turning by the golden angle (π(3 − √5)) is a multiplication by its cosine and sine,
    // written out: no `sin`/`cos` calls, whose last bits differ between platforms' libm.
    const GOLDEN_COS: f64 = -0.737_368_878_078_319_7;
    const GOLDEN_SIN: f64 = 0.675_490_294_261_523_8;
    let mut direction = Point { x: 1.0, y: 0.0 };
    let mut positions = vec![Point { x: 0.0, y: 0.0 }; n];
    for (rank, &node) in order.iter().enumerate() {
        let radius = 0.6 * (rank as f64).sqrt();
        positions[node] = Point {
            x: radius * direction.x,
            y: radius * direction.y,
        };
        direction = Point {
            x: direction.x * GOLDEN_COS - direction.y * GOLDEN_SIN,
            y: direction.x * GOLDEN_SIN + direction.y * GOLDEN_COS,
        };
    }
    positions
}

/// Fruchterman–Reingold with ideal edge length 1: linked nodes attract with d²,
/// nodes closer than `REPULSION_REACH` repel with 1/d (found through a grid, so each
/// iteration is about linear), a weak gravity holds the drawing together, and a temperature
/// that falls linearly limits how far a node moves per iteration.
fn relax_forces(positions: &mut [Point], links: &[(usize, usize)], pinned: Option<usize>) {
    let n = positions.len();
    // A neighbourhood of a few dozen nodes settles long before 300 steps, and every entity page
    // draws one: fewer steps there keep page rendering cheap (at 10,000 notes the layouts were
    // a seventh of the build's CPU with 120 steps, a tenth with 60). Side by side, drawings
    // after 40 steps read as well as after 60 (a little tighter); the overlap pass below
    // tidies what is left.
    let iterations = if n <= 40 {
        40
    } else if n <= 300 {
        300
    } else {
        (90_000 / n).max(40)
    };
    let start_temperature = (0.1 * (n as f64).sqrt()).max(0.5);
    let mut displacement = vec![Point { x: 0.0, y: 0.0 }; n];
    for iteration in 0..iterations {
        let temperature = start_temperature * (1.0 - iteration as f64 / iterations as f64) + 0.002;
        displacement.fill(Point { x: 0.0, y: 0.0 });

        if n < ALL_PAIRS_BELOW {
            // Every neighbourhood drawing lands here: the pairs in for_each_close_pair's
            // order (so the sums, and the bytes, are the same), without its index checks.
            for i in 0..n {
                let p = positions[i];
                let (before, after) = displacement.split_at_mut(i + 1);
                let at_i = &mut before[i];
                for ((q, at_j), j) in positions[i + 1..].iter().zip(after).zip(i + 1..) {
                    if let Some((fx, fy)) = repulsion(p, *q, i, j) {
                        at_i.x += fx;
                        at_i.y += fy;
                        at_j.x -= fx;
                        at_j.y -= fy;
                    }
                }
            }
        } else {
            for_each_close_pair(positions, REPULSION_REACH, REPULSION_REACH, |i, j| {
                if let Some((fx, fy)) = repulsion(positions[i], positions[j], i, j) {
                    displacement[i].x += fx;
                    displacement[i].y += fy;
                    displacement[j].x -= fx;
                    displacement[j].y -= fy;
                }
            });
        }
        for &(a, b) in links {
            let (dx, dy, distance) = separation(positions[a], positions[b], a, b);
            let force = distance * distance;
            let (fx, fy) = (dx / distance * force, dy / distance * force);
            displacement[a].x -= fx;
            displacement[a].y -= fy;
            displacement[b].x += fx;
            displacement[b].y += fy;
        }
        for i in 0..n {
            if pinned == Some(i) {
                continue;
            }
            let d = Point {
                x: displacement[i].x - GRAVITY * positions[i].x,
                y: displacement[i].y - GRAVITY * positions[i].y,
            };
            let length = (d.x * d.x + d.y * d.y).sqrt();
            if length > 0.0 && length.is_finite() {
                let step = length.min(temperature);
                positions[i].x += d.x / length * step;
                positions[i].y += d.y / length * step;
            }
        }
    }
}

/// The push of `q` on `p` (p's side; q gets the opposite): 1/d along the unit vector, i.e.
/// (dx, dy) / d², for nodes closer than `REPULSION_REACH`.
#[inline]
fn repulsion(p: Point, q: Point, i: usize, j: usize) -> Option<(f64, f64)> {
    let squared = (p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y);
    // Out of reach, known without the square root: √ is monotonic and √9 is exactly 3, so
    // this skips exactly the pairs the test below would (most pairs of a neighbourhood are
    // that far apart; a NaN still goes on, as it did).
    if squared >= REPULSION_REACH * REPULSION_REACH {
        return None;
    }
    let (dx, dy, distance) = separation(p, q, i, j);
    (distance < REPULSION_REACH).then(|| {
        let scale = 1.0 / (distance * distance);
        (dx * scale, dy * scale)
    })
}

/// The vector from `q` to `p` and its length, never zero: two nodes on the same spot are
/// split along a direction fixed by their indices.
fn separation(p: Point, q: Point, i: usize, j: usize) -> (f64, f64, f64) {
    let (dx, dy) = (p.x - q.x, p.y - q.y);
    let distance = (dx * dx + dy * dy).sqrt();
    if distance > 1e-6 {
        return (dx, dy, distance);
    }
    let sign = if i < j { -1.0 } else { 1.0 };
    let (dx, dy) = (sign * 0.01, sign * 0.007);
    (dx, dy, (dx * dx + dy * dy).sqrt())
}

/// Turns the layout so its longest extent is horizontal: pages are wider than tall.
fn rotate_to_principal_axis(positions: &mut [Point]) {
    let n = positions.len() as f64;
    let mean_x = positions.iter().map(|p| p.x).sum::<f64>() / n;
    let mean_y = positions.iter().map(|p| p.y).sum::<f64>() / n;
    let (mut xx, mut yy, mut xy) = (0.0, 0.0, 0.0);
    for p in positions.iter() {
        let (x, y) = (p.x - mean_x, p.y - mean_y);
        xx += x * x;
        yy += y * y;
        xy += x * y;
    }
    // The principal axis is at θ = atan2(2xy, xx − yy) / 2; its cosine and sine come from
    // half-angle formulas, which need only √ (exactly rounded everywhere, unlike atan2/sin/
    // cos), so the same input gives the same bytes on every platform. Rotate by −θ.
    let (u, v) = (xx - yy, 2.0 * xy);
    let r = (u * u + v * v).sqrt();
    let (cos, sin) = if r > 0.0 && r.is_finite() {
        let cos_theta = ((1.0 + u / r) / 2.0).max(0.0).sqrt();
        let sin_theta = ((1.0 - u / r) / 2.0).max(0.0).sqrt();
        (cos_theta, if v < 0.0 { sin_theta } else { -sin_theta })
    } else {
        (1.0, 0.0)
    };
    for p in positions.iter_mut() {
        let (x, y) = (p.x - mean_x, p.y - mean_y);
        *p = Point {
            x: x * cos - y * sin,
            y: x * sin + y * cos,
        };
    }
}

/// From abstract units (ideal edge length 1) to px: one unit becomes about one label box,
/// then the shorter side is stretched until the drawing has the wanted aspect ratio.
fn scale_to_pixels(positions: &mut [Point], sizes: &[NodeSize], aspect: f64) {
    let n = sizes.len() as f64;
    let mean_width = sizes
        .iter()
        .map(|s| {
            let (l, _, r, _) = node_box(s);
            r - l
        })
        .sum::<f64>()
        / n;
    let mean_height = sizes
        .iter()
        .map(|s| {
            let (_, t, _, b) = node_box(s);
            b - t
        })
        .sum::<f64>()
        / n;
    let mut scale_x = (mean_width * 0.85).max(70.0);
    let mut scale_y = (mean_height * 1.5).max(60.0);

    let extent = |f: fn(&Point) -> f64| {
        let min = positions.iter().map(f).fold(f64::INFINITY, f64::min);
        let max = positions.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        (max - min).max(1.0)
    };
    let (extent_x, extent_y) = (extent(|p| p.x), extent(|p| p.y));
    let aspect = if aspect.is_finite() && aspect > 0.0 {
        aspect.clamp(0.25, 4.0)
    } else {
        1.5
    };
    let drawn_aspect = (extent_x * scale_x) / (extent_y * scale_y);
    if drawn_aspect < aspect {
        scale_x *= aspect / drawn_aspect;
    } else {
        scale_y *= drawn_aspect / aspect;
    }
    for p in positions.iter_mut() {
        p.x *= scale_x;
        p.y *= scale_y;
    }
}

/// Pushes apart every two nodes whose boxes overlap, along the axis where they overlap
/// least, half each way; repeated until nothing overlaps (or a pass limit). Moves of a pass
/// are summed before they are applied, so the result does not depend on visiting order.
fn remove_overlaps(positions: &mut [Point], sizes: &[NodeSize]) {
    let n = positions.len();
    let boxes: Vec<(f64, f64, f64, f64)> = sizes.iter().map(node_box).collect();
    let box_centre = |i: usize, p: Point| {
        let (l, t, r, b) = boxes[i];
        Point {
            x: p.x + (l + r) / 2.0,
            y: p.y + (t + b) / 2.0,
        }
    };
    let widest = boxes.iter().map(|b| b.2 - b.0).fold(1.0, f64::max);
    let tallest = boxes.iter().map(|b| b.3 - b.1).fold(1.0, f64::max);
    let mut shift = vec![Point { x: 0.0, y: 0.0 }; n];
    for _ in 0..MAX_OVERLAP_PASSES {
        let centres: Vec<Point> = (0..n).map(|i| box_centre(i, positions[i])).collect();
        shift.fill(Point { x: 0.0, y: 0.0 });
        let mut overlapping = false;
        for_each_close_pair(&centres, widest, tallest, |i, j| {
            let (wi, hi) = (boxes[i].2 - boxes[i].0, boxes[i].3 - boxes[i].1);
            let (wj, hj) = (boxes[j].2 - boxes[j].0, boxes[j].3 - boxes[j].1);
            let dx = centres[j].x - centres[i].x;
            let dy = centres[j].y - centres[i].y;
            let overlap_x = (wi + wj) / 2.0 - dx.abs();
            let overlap_y = (hi + hj) / 2.0 - dy.abs();
            if overlap_x <= 0.0 || overlap_y <= 0.0 {
                return;
            }
            overlapping = true;
            // A little extra so floating-point rounding cannot leave a sliver.
            if overlap_x < overlap_y {
                let half = overlap_x / 2.0 + 0.25;
                let sign = if dx > 0.0 || (dx == 0.0 && i < j) {
                    1.0
                } else {
                    -1.0
                };
                shift[i].x -= sign * half;
                shift[j].x += sign * half;
            } else {
                let half = overlap_y / 2.0 + 0.25;
                let sign = if dy > 0.0 || (dy == 0.0 && i < j) {
                    1.0
                } else {
                    -1.0
                };
                shift[i].y -= sign * half;
                shift[j].y += sign * half;
            }
        });
        if !overlapping {
            break;
        }
        for (p, s) in positions.iter_mut().zip(&shift) {
            p.x += s.x;
            p.y += s.y;
        }
    }
}

/// Moves the drawing so its boxes start at the margin and measures it.
fn fit_to_origin(mut positions: Vec<Point>, sizes: &[NodeSize]) -> Placed {
    let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
    let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (p, size) in positions.iter().zip(sizes) {
        let (l, t, r, b) = node_box(size);
        min_x = min_x.min(p.x + l);
        min_y = min_y.min(p.y + t);
        max_x = max_x.max(p.x + r);
        max_y = max_y.max(p.y + b);
    }
    for p in positions.iter_mut() {
        p.x += MARGIN - min_x;
        p.y += MARGIN - min_y;
    }
    Placed {
        positions,
        width: (max_x - min_x + 2.0 * MARGIN).ceil(),
        height: (max_y - min_y + 2.0 * MARGIN).ceil(),
    }
}

/// Below this many points, checking every pair is cheaper than sorting them into a grid.
const ALL_PAIRS_BELOW: usize = 80;

/// Calls `visit(i, j)`, `i < j`, for every pair of points that may be closer than a cell
/// (and some that are not: `visit` checks the distance itself), in a fixed order.
fn for_each_close_pair(
    points: &[Point],
    cell_width: f64,
    cell_height: f64,
    mut visit: impl FnMut(usize, usize),
) {
    if points.len() < ALL_PAIRS_BELOW {
        for i in 0..points.len() {
            for j in i + 1..points.len() {
                visit(i, j);
            }
        }
        return;
    }
    let grid = Grid::new(points.iter().copied(), cell_width, cell_height);
    for (i, &p) in points.iter().enumerate() {
        grid.for_each_near(p, |j| {
            if j > i {
                visit(i, j);
            }
        });
    }
}

/// Buckets points into square-ish cells so "which points are near this one" looks at nine
/// cells instead of every point. Sparse: the points sorted by (row, column, index), so the
/// three cells of one row are one contiguous run found by binary search; no hashing, and a
/// far-flung outlier costs nothing. Within a cell points stay in index order, so visiting
/// order (and the floating-point sums that depend on it) is fixed.
struct Grid {
    cell_width: f64,
    cell_height: f64,
    /// (row, column, point index), sorted.
    cells: Vec<(i64, i64, usize)>,
}

impl Grid {
    fn new(points: impl Iterator<Item = Point>, cell_width: f64, cell_height: f64) -> Grid {
        let mut grid = Grid {
            cell_width: cell_width.max(1e-9),
            cell_height: cell_height.max(1e-9),
            cells: Vec::new(),
        };
        grid.cells = points
            .enumerate()
            .map(|(i, p)| {
                let (row, column) = grid.cell_of(p);
                (row, column, i)
            })
            .collect();
        grid.cells.sort_unstable();
        grid
    }

    /// (row, column); `as` saturates and maps NaN to 0, so stray points cannot panic.
    fn cell_of(&self, p: Point) -> (i64, i64) {
        (
            (p.y / self.cell_height).floor() as i64,
            (p.x / self.cell_width).floor() as i64,
        )
    }

    /// Calls `visit` with every point in the 3×3 cells around `p`, in a fixed order.
    fn for_each_near(&self, p: Point, mut visit: impl FnMut(usize)) {
        let (row, column) = self.cell_of(p);
        let (first, last) = (column.saturating_sub(1), column.saturating_add(1));
        for r in [row.saturating_sub(1), row, row.saturating_add(1)] {
            let start = self
                .cells
                .partition_point(|&(cr, cc, _)| (cr, cc) < (r, first));
            let end = self
                .cells
                .partition_point(|&(cr, cc, _)| (cr, cc) <= (r, last));
            for &(_, _, j) in &self.cells[start..end.max(start)] {
                visit(j);
            }
        }
    }
}
