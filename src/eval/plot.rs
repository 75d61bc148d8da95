//! SVG pictures of an evaluation: the learning curve and the confusion matrix,
//! drawn with `plotters` (SVG backend, no system fonts needed).

use std::path::Path;

use plotters::prelude::*;

use crate::atomic::write_atomically;
use crate::error::{Error, Result};
use crate::eval::cv::CurvePoint;
use crate::eval::metrics::Confusion;

const WIDTH: u32 = 1100;
const HEIGHT: u32 = 480;

/// Draws the learning curve (if any) beside the confusion matrix and writes the
/// SVG to `path` atomically.
pub fn write_svg(
    path: &Path,
    title: &str,
    curve: Option<&[CurvePoint]>,
    confusion: &Confusion,
) -> Result<()> {
    let svg = render(title, curve, confusion)
        .map_err(|e| Error::new(format!("cannot draw the plot: {e}")))?;
    write_atomically(path, |w| w.write_all(svg.as_bytes()))
}

type DrawResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A curve to draw: its name, colour, line width, and (mean, sd) of a point.
type Series = (&'static str, RGBColor, u32, fn(&CurvePoint) -> (f64, f64));

fn render(title: &str, curve: Option<&[CurvePoint]>, confusion: &Confusion) -> DrawResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(title, ("sans-serif", 22))?;
        match curve {
            Some(points) => {
                let (left, right) = root.split_horizontally(WIDTH * 55 / 100);
                draw_curve(&left, points)?;
                draw_confusion(&right, confusion)?;
            }
            None => draw_confusion(&root, confusion)?,
        }
        root.present()?;
    }
    Ok(svg)
}

fn draw_curve<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    points: &[CurvePoint],
) -> DrawResult<()>
where
    DB::ErrorType: 'static,
{
    let max_rows = points.iter().map(|p| p.train_rows).fold(1.0, f64::max);
    let lowest = points
        .iter()
        .flat_map(|p| {
            [
                p.accuracy_mean - p.accuracy_std,
                p.macro_f1_mean - p.macro_f1_std,
            ]
        })
        .fold(1.0, f64::min);
    let y_min = ((lowest - 0.05) * 10.0).floor().max(0.0) / 10.0;
    let mut chart = ChartBuilder::on(area)
        .caption(
            "Learning curve (cross-validated, mean ± sd over folds)",
            ("sans-serif", 16),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..max_rows * 1.05, y_min..1.0)?;
    chart
        .configure_mesh()
        .x_desc("training drafts per fold")
        .y_desc("score")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    // Accuracy is drawn wide and pale underneath, so that it stays visible where
    // macro-F1 (narrow, on top) coincides with it, as on balanced data.
    let series: [Series; 2] = [
        ("accuracy", RGBColor(120, 170, 230), 6, |p| {
            (p.accuracy_mean, p.accuracy_std)
        }),
        ("macro-F1", RGBColor(200, 40, 40), 2, |p| {
            (p.macro_f1_mean, p.macro_f1_std)
        }),
    ];
    for (name, color, width, get) in series {
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.train_rows, get(p).0)),
                color.stroke_width(width),
            ))?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(width))
            });
        chart.draw_series(
            points
                .iter()
                .map(|p| Circle::new((p.train_rows, get(p).0), width + 1, color.filled())),
        )?;
        chart.draw_series(points.iter().map(|p| {
            let (mean, sd) = get(p);
            ErrorBar::new_vertical(
                p.train_rows,
                (mean - sd).max(y_min),
                mean,
                (mean + sd).min(1.0),
                color.filled(),
                8,
            )
        }))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

fn draw_confusion<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    confusion: &Confusion,
) -> DrawResult<()>
where
    DB::ErrorType: 'static,
{
    let n = confusion.labels.len();
    let area = area.margin(40, 20, 20, 20);
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        "Confusion matrix (rows: true label, columns: predicted)",
        (0, 0),
        ("sans-serif", 16),
    ))?;
    let label_w = 110i32;
    let top = 60i32;
    let cell = ((w as i32 - label_w - 10).min(h as i32 - top - 30) / n.max(1) as i32).max(10);
    for (i, row) in confusion.matrix.iter().enumerate() {
        let support: usize = row.iter().sum();
        for (j, &count) in row.iter().enumerate() {
            let x0 = label_w + j as i32 * cell;
            let y0 = top + i as i32 * cell;
            // Shade by the share of the true label's rows, so that a small label's
            // cells read as clearly as a large one's.
            let share = if support > 0 {
                count as f64 / support as f64
            } else {
                0.0
            };

            let color = if i == j {
                RGBColor(30, 100, 200)
            } else {
                RGBColor(200, 60, 40)
            };
            area.draw(&Rectangle::new(
                [(x0, y0), (x0 + cell, y0 + cell)],
                color.mix(0.08 + 0.8 * share).filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(x0, y0), (x0 + cell, y0 + cell)],
                BLACK.stroke_width(1),
            ))?;
            let text_color = if share > 0.55 { WHITE } else { BLACK };
            area.draw(&Text::new(
                format!("{count}"),
                (x0 + cell / 2 - 14, y0 + cell / 2 - 14),
                ("sans-serif", 20).into_font().color(&text_color),
            ))?;
            area.draw(&Text::new(
                format!("{:.0}%", share * 100.0),
                (x0 + cell / 2 - 14, y0 + cell / 2 + 8),
                ("sans-serif", 13).into_font().color(&text_color),
            ))?;
        }
        area.draw(&Text::new(
            truncate(&confusion.labels[i], 14),
            (4, top + i as i32 * cell + cell / 2 - 6),
            ("sans-serif", 14),
        ))?;
    }
    for (j, label) in confusion.labels.iter().enumerate() {
        area.draw(&Text::new(
            truncate(label, 14),
            (label_w + j as i32 * cell + 4, top - 22),
            ("sans-serif", 14),
        ))?;
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}
