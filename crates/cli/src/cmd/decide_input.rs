//! Reading decision inputs for `mcda`, `ahp` and `smaa`: CSV files and comma-separated flags.
//! Every error names the file, line and column (or the flag) and what was expected.

use std::path::Path;

use anyhow::{anyhow, Error};
use cloudfit_decide::{CriterionKind, DecideError};

/// A CSV file split into trimmed cells. Blank lines and lines starting with `#` are skipped.
struct Csv {
    path: String,
    /// (1-based line number, cells)
    lines: Vec<(usize, Vec<String>)>,
    /// Number of physical lines, for "end of file" messages.
    last_line: usize,
}

fn read_csv(path: &Path) -> Result<Csv, Error> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| anyhow!("{shown}: cannot read: {e}"))?;
    let mut lines = Vec::new();
    let mut last_line = 0;
    for (i, raw) in text.lines().enumerate() {
        last_line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let cells = split_csv_line(trimmed).map_err(|col| {
            anyhow!(
                "{shown}: line {}, column {col}: expected a closing double quote",
                i + 1
            )
        })?;
        lines.push((i + 1, cells));
    }
    Ok(Csv {
        path: shown,
        lines,
        last_line,
    })
}

/// Splits on commas; a cell may be double-quoted (`""` inside quotes is a quote). The error is
/// the 1-based column of an unterminated quote.
fn split_csv_line(line: &str) -> Result<Vec<String>, usize> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut quote_column = 0;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    cell.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            }
            '"' if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
                quote_column = cells.len() + 1;
            }
            ',' if !quoted => cells.push(std::mem::take(&mut cell).trim().to_owned()),
            _ => cell.push(c),
        }
    }
    if quoted {
        return Err(quote_column);
    }
    cells.push(cell.trim().to_owned());
    Ok(cells)
}

/// A decision matrix as read from `name,<criterion>,...` CSV.
pub struct MatrixFile {
    pub path: String,
    pub criteria: Vec<String>,
    pub alternatives: Vec<String>,
    /// The file line of each alternative's row.
    pub lines: Vec<usize>,
    pub values: Vec<Vec<f64>>,
}

impl MatrixFile {
    /// `path:line N, column C (criterion)` for alternative `row`, criterion `criterion`.
    fn cell(&self, row: usize, criterion: usize) -> String {
        format!(
            "{}: line {}, column {} ({})",
            self.path,
            self.lines.get(row).copied().unwrap_or(0),
            criterion + 2,
            self.criteria.get(criterion).map_or("?", String::as_str)
        )
    }

    /// `path: column C (criterion)`.
    fn column(&self, criterion: usize) -> String {
        format!(
            "{}: column {} ({})",
            self.path,
            criterion + 2,
            self.criteria.get(criterion).map_or("?", String::as_str)
        )
    }

    /// Turns a library error about this matrix into a message with file, line and column.
    pub fn locate(&self, error: &DecideError) -> Error {
        match error {
            DecideError::NonFinite { row, criterion, value } => {
                anyhow!("{}: expected a finite number, found {value}", self.cell(*row, *criterion))
            }
            DecideError::DegenerateColumn {
                criterion,
                normalization,
                expected,
            } => anyhow!(
                "{}: {normalization} normalisation needs {expected} (choose another --normalization)",
                self.column(*criterion)
            ),
            DecideError::BadUncertainValue { row, criterion, reason } => {
                anyhow!("{}: {reason}", self.cell(*row, *criterion))
            }
            other => anyhow!("{}: {other}", self.path),
        }
    }
}

/// Reads a decision matrix: a header `name,<criterion>,...` then one row per alternative with
/// a name and one number per criterion. At least 2 alternatives and 1 criterion.
pub fn read_matrix(path: &Path) -> Result<MatrixFile, Error> {
    let csv = read_csv(path)?;
    let p = &csv.path;
    let Some((header_line, header)) = csv.lines.first() else {
        return Err(anyhow!(
            "{p}: line 1: expected a header row `name,<criterion>,...`, found an empty file"
        ));
    };
    if header.len() < 2 {
        return Err(anyhow!(
            "{p}: line {header_line}: expected a header `name,<criterion>,...` with at least one criterion, found {} column",
            header.len()
        ));
    }
    let criteria: Vec<String> = header[1..].to_vec();
    for (j, name) in criteria.iter().enumerate() {
        if name.is_empty() {
            return Err(anyhow!(
                "{p}: line {header_line}, column {}: expected a criterion name, found an empty cell",
                j + 2
            ));
        }
        if criteria[..j].contains(name) {
            return Err(anyhow!(
                "{p}: line {header_line}, column {}: criterion {name:?} appears twice",
                j + 2
            ));
        }
    }
    let k = criteria.len();
    let rows = &csv.lines[1..];
    if rows.len() < 2 {
        return Err(anyhow!(
            "{p}: line {}: expected at least 2 alternative rows after the header, found {}",
            rows.last().map_or(csv.last_line + 1, |r| r.0 + 1),
            rows.len()
        ));
    }
    let mut alternatives = Vec::with_capacity(rows.len());
    let mut lines = Vec::with_capacity(rows.len());
    let mut values = Vec::with_capacity(rows.len());
    for (line, cells) in rows {
        if cells.len() != k + 1 {
            return Err(anyhow!(
                "{p}: line {line}: expected {} columns (a name and {k} values, like the header), found {}",
                k + 1,
                cells.len()
            ));
        }
        let name = &cells[0];
        if name.is_empty() {
            return Err(anyhow!(
                "{p}: line {line}, column 1: expected an alternative name, found an empty cell"
            ));
        }
        if alternatives.contains(name) {
            return Err(anyhow!(
                "{p}: line {line}, column 1: alternative {name:?} appears twice"
            ));
        }
        let row = cells[1..]
            .iter()
            .enumerate()
            .map(|(j, cell)| {
                parse_number(cell).map_err(|expected| {
                    anyhow!(
                        "{p}: line {line}, column {} ({}): expected {expected}, found {cell:?}",
                        j + 2,
                        criteria[j]
                    )
                })
            })
            .collect::<Result<Vec<f64>, Error>>()?;
        alternatives.push(name.clone());
        lines.push(*line);
        values.push(row);
    }
    Ok(MatrixFile {
        path: csv.path,
        criteria,
        alternatives,
        lines,
        values,
    })
}

/// Reads a companion matrix (`--sd`, `--lower`, `--upper`) that must have the same criteria and
/// alternatives, in the same order, as `main`.
pub fn read_companion(path: &Path, main: &MatrixFile) -> Result<MatrixFile, Error> {
    let other = read_matrix(path)?;
    let p = &other.path;
    if other.criteria != main.criteria {
        return Err(anyhow!(
            "{p}: header: expected the criteria of {} ({}), found {}",
            main.path,
            main.criteria.join(","),
            other.criteria.join(",")
        ));
    }
    if other.alternatives.len() != main.alternatives.len() {
        return Err(anyhow!(
            "{p}: expected {} alternative rows like {}, found {}",
            main.alternatives.len(),
            main.path,
            other.alternatives.len()
        ));
    }
    for (i, (a, b)) in other
        .alternatives
        .iter()
        .zip(&main.alternatives)
        .enumerate()
    {
        if a != b {
            return Err(anyhow!(
                "{p}: line {}, column 1: expected alternative {b:?} (same order as {}), found {a:?}",
                other.lines[i],
                main.path
            ));
        }
    }
    Ok(other)
}

/// A number cell; the error says what was expected.
fn parse_number(cell: &str) -> Result<f64, &'static str> {
    match cell.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err("a finite number"),
        Err(_) => Err("a number"),
    }
}

/// A positive number or fraction `a/b`.
fn parse_judgement(cell: &str) -> Result<f64, &'static str> {
    const EXPECTED: &str = "a positive number or fraction like 1/3";
    let cell = cell.trim();
    let value = match cell.split_once('/') {
        Some((a, b)) => {
            let a: f64 = a.trim().parse().map_err(|_| EXPECTED)?;
            let b: f64 = b.trim().parse().map_err(|_| EXPECTED)?;
            if b == 0.0 {
                return Err(EXPECTED);
            }
            a / b
        }
        None => cell.parse().map_err(|_| EXPECTED)?,
    };
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(EXPECTED)
    }
}

/// A pairwise comparison matrix as read from CSV.
pub struct PairwiseFile {
    pub path: String,
    pub criteria: Vec<String>,
    /// The file line of each criterion's row.
    pub lines: Vec<usize>,
    pub values: Vec<Vec<f64>>,
}

impl PairwiseFile {
    /// Turns a library error about this matrix into a message with file, line and column.
    pub fn locate(&self, error: &DecideError) -> Error {
        let p = &self.path;
        let line = |row: usize| self.lines.get(row).copied().unwrap_or(0);
        let name = |i: usize| self.criteria.get(i).map_or("?", String::as_str);
        match error {
            DecideError::NotReciprocal {
                row,
                column,
                value,
                mirror,
            } => anyhow!(
                "{p}: line {}, column {} ({} vs {}) is {value} but line {}, column {} ({} vs {}) is {mirror}: expected reciprocals, e.g. 3 and 1/3",
                line(*row),
                column + 2,
                name(*row),
                name(*column),
                line(*column),
                row + 2,
                name(*column),
                name(*row)
            ),
            DecideError::BadDiagonal { row, value } => anyhow!(
                "{p}: line {}, column {} ({} vs itself): expected 1, found {value}",
                line(*row),
                row + 2,
                name(*row)
            ),
            DecideError::NotPositive { row, column, value } => anyhow!(
                "{p}: line {}, column {}: expected a positive number, found {value}",
                line(*row),
                column + 2
            ),
            other => anyhow!("{p}: {other}"),
        }
    }
}

/// Reads a square pairwise matrix: a header whose first cell is free (e.g. `criterion`) followed
/// by the criterion names, then one row per criterion starting with its name, in header order.
/// Entries are positive numbers or fractions like `1/3`.
pub fn read_pairwise(path: &Path) -> Result<PairwiseFile, Error> {
    let csv = read_csv(path)?;
    let p = &csv.path;
    let Some((header_line, header)) = csv.lines.first() else {
        return Err(anyhow!(
            "{p}: line 1: expected a header row `criterion,<name>,<name>,...`, found an empty file"
        ));
    };
    let criteria: Vec<String> = header.iter().skip(1).cloned().collect();
    let n = criteria.len();
    if n == 0 {
        return Err(anyhow!(
            "{p}: line {header_line}: expected a header `criterion,<name>,...` with at least one criterion"
        ));
    }
    for (j, name) in criteria.iter().enumerate() {
        if name.is_empty() || criteria[..j].contains(name) {
            return Err(anyhow!(
                "{p}: line {header_line}, column {}: expected a distinct criterion name, found {name:?}",
                j + 2
            ));
        }
    }
    let rows = &csv.lines[1..];
    if rows.len() != n {
        return Err(anyhow!(
            "{p}: line {}: expected a square matrix with {n} rows (one per criterion in the header), found {}",
            rows.get(n).map_or(csv.last_line + 1, |r| r.0),
            rows.len()
        ));
    }
    let mut lines = Vec::with_capacity(n);
    let mut values = Vec::with_capacity(n);
    for (i, (line, cells)) in rows.iter().enumerate() {
        if cells.len() != n + 1 {
            return Err(anyhow!(
                "{p}: line {line}: expected a square matrix, {} columns (the name and {n} entries), found {}",
                n + 1,
                cells.len()
            ));
        }
        if cells[0] != criteria[i] {
            return Err(anyhow!(
                "{p}: line {line}, column 1: expected criterion {:?} (rows in header order), found {:?}",
                criteria[i],
                cells[0]
            ));
        }
        let row = cells[1..]
            .iter()
            .enumerate()
            .map(|(j, cell)| {
                parse_judgement(cell).map_err(|expected| {
                    anyhow!(
                        "{p}: line {line}, column {} ({} vs {}): expected {expected}, found {cell:?}",
                        j + 2,
                        criteria[i],
                        criteria[j]
                    )
                })
            })
            .collect::<Result<Vec<f64>, Error>>()?;
        lines.push(*line);
        values.push(row);
    }
    Ok(PairwiseFile {
        path: csv.path,
        criteria,
        lines,
        values,
    })
}

/// `--types max,min,...`: one per criterion; `max`/`benefit` or `min`/`cost`.
pub fn parse_types(flag_value: &str, criteria: &[String]) -> Result<Vec<CriterionKind>, Error> {
    let entries = split_flag(flag_value);
    if entries.len() != criteria.len() {
        return Err(anyhow!(
            "--types: expected {} entries, one per criterion ({}), found {}",
            criteria.len(),
            criteria.join(","),
            entries.len()
        ));
    }
    entries
        .iter()
        .enumerate()
        .map(|(j, t)| match t.to_ascii_lowercase().as_str() {
            "max" | "benefit" => Ok(CriterionKind::Benefit),
            "min" | "cost" => Ok(CriterionKind::Cost),
            _ => Err(anyhow!(
                "--types: entry {} ({}): expected max or min, found {t:?}",
                j + 1,
                criteria[j]
            )),
        })
        .collect()
}

/// The name used for a kind in output.
pub fn type_name(kind: CriterionKind) -> &'static str {
    match kind {
        CriterionKind::Benefit => "max",
        CriterionKind::Cost => "min",
    }
}

/// A comma-separated list of numbers for `flag`, with one entry per criterion, or a single
/// entry repeated when `broadcast` is set.
pub fn parse_numbers(
    flag: &str,
    value: &str,
    criteria: &[String],
    broadcast: bool,
) -> Result<Vec<f64>, Error> {
    let entries = split_flag(value);
    let numbers = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            parse_fraction_or_number(e)
                .ok_or_else(|| anyhow!("{flag}: entry {}: expected a number, found {e:?}", i + 1))
        })
        .collect::<Result<Vec<f64>, Error>>()?;
    if broadcast && numbers.len() == 1 {
        return Ok(vec![numbers[0]; criteria.len()]);
    }
    if numbers.len() != criteria.len() {
        return Err(anyhow!(
            "{flag}: expected {} entries, one per criterion ({}){}, found {}",
            criteria.len(),
            criteria.join(","),
            if broadcast {
                " or a single one for all"
            } else {
                ""
            },
            numbers.len()
        ));
    }
    Ok(numbers)
}

fn parse_fraction_or_number(s: &str) -> Option<f64> {
    let x = match s.split_once('/') {
        Some((a, b)) => a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?,
        None => s.parse::<f64>().ok()?,
    };
    x.is_finite().then_some(x)
}

/// `--order "c1>c2=c3"`: groups of criterion indices from most to least important; `=` ties.
pub fn parse_order(value: &str, criteria: &[String]) -> Result<Vec<Vec<usize>>, Error> {
    let mut seen = vec![false; criteria.len()];
    let mut groups = Vec::new();
    for part in value.split('>') {
        let mut group = Vec::new();
        for name in part.split('=') {
            let name = name.trim();
            let Some(c) = criteria.iter().position(|x| x == name) else {
                return Err(anyhow!(
                    "--order: {name:?} is not a criterion; expected names from the header ({}) joined by > or =",
                    criteria.join(",")
                ));
            };
            if seen[c] {
                return Err(anyhow!(
                    "--order: criterion {name:?} appears more than once"
                ));
            }
            seen[c] = true;
            group.push(c);
        }
        groups.push(group);
    }
    let missing: Vec<&str> = criteria
        .iter()
        .zip(&seen)
        .filter(|(_, s)| !**s)
        .map(|(c, _)| c.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(anyhow!(
            "--order: expected every criterion, missing {}",
            missing.join(",")
        ));
    }
    Ok(groups)
}

fn split_flag(value: &str) -> Vec<&str> {
    value.split(',').map(str::trim).collect()
}

/// Formats a number for tables: 4 significant decimals, no trailing noise.
pub fn num(x: f64) -> String {
    format!("{x:.4}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_split_with_quotes() {
        assert_eq!(split_csv_line("a, b ,c").unwrap(), vec!["a", "b", "c"]);
        assert_eq!(
            split_csv_line("\"x, y\",1").unwrap(),
            vec!["x, y".to_owned(), "1".to_owned()]
        );
        assert_eq!(split_csv_line("a,\"b").unwrap_err(), 2);
    }

    #[test]
    fn judgements_accept_fractions() {
        assert_eq!(parse_judgement("1/4"), Ok(0.25));
        assert_eq!(parse_judgement(" 3 "), Ok(3.0));
        assert!(parse_judgement("0").is_err());
        assert!(parse_judgement("1/0").is_err());
        assert!(parse_judgement("x").is_err());
    }

    #[test]
    fn order_with_ties() {
        let c: Vec<String> = ["a", "b", "c"].iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(
            parse_order("b > a=c", &c).unwrap(),
            vec![vec![1], vec![0, 2]]
        );
        assert!(parse_order("a>b", &c).is_err());
        assert!(parse_order("a>b>d", &c).is_err());
        assert!(parse_order("a>b>a=c", &c).is_err());
    }
}
