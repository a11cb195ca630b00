// Command benchtable turns the output of `go test -bench -benchmem` (read
// from stdin or the files given) into one Markdown table: a row per
// benchmark with its time per operation and every other metric it
// reported. `make bench` pipes the benchmarks through it.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var rs []io.Reader
	for _, name := range args {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "benchtable: %v\n", err)
			return 1
		}
		defer f.Close()
		rs = append(rs, f)
	}
	if len(rs) == 0 {
		rs = append(rs, stdin)
	}
	res, err := parse(io.MultiReader(rs...))
	if err != nil {
		fmt.Fprintf(stderr, "benchtable: %v\n", err)
		return 1
	}
	if len(res.rows) == 0 {
		fmt.Fprintln(stderr, "benchtable: no benchmark results in the input")
		return 1
	}
	if err := res.write(stdout); err != nil {
		fmt.Fprintf(stderr, "benchtable: %v\n", err)
		return 1
	}
	if res.failed {
		fmt.Fprintln(stderr, "benchtable: the input reports a failure")
		return 1
	}
	return 0
}

// metric is one reported value and its unit.
type metric struct {
	value float64
	unit  string
}

// row is one benchmark result line.
type row struct {
	pkg, name string
	iters     int64
	metrics   []metric
}

// results is everything parse found.
type results struct {
	cpu    string
	rows   []row
	failed bool
}

// parse reads benchmark output; lines other than results, "pkg:", "cpu:"
// and failures are ignored.
func parse(r io.Reader) (*results, error) {
	res := &results{}
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "cpu: "):
			res.cpu = strings.TrimPrefix(line, "cpu: ")
		case strings.HasPrefix(line, "--- FAIL"), strings.HasPrefix(line, "FAIL"), strings.HasPrefix(line, "panic:"):
			res.failed = true
		case strings.HasPrefix(line, "Benchmark"):
			if rw, ok := parseRow(line); ok {
				rw.pkg = pkg
				res.rows = append(res.rows, rw)
			}
		}
	}
	return res, sc.Err()
}

// parseRow reads "BenchmarkX-2  N  v unit  v unit ...".
func parseRow(line string) (row, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return row{}, false
	}
	iters, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return row{}, false
	}
	rw := row{name: trimProcs(strings.TrimPrefix(f[0], "Benchmark")), iters: iters}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return row{}, false
		}
		rw.metrics = append(rw.metrics, metric{value: v, unit: f[i+1]})
	}
	return rw, true
}

// trimProcs drops the "-GOMAXPROCS" suffix.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

func (res *results) write(w io.Writer) error {
	var b strings.Builder
	if res.cpu != "" {
		fmt.Fprintf(&b, "CPU: %s\n\n", res.cpu)
	}
	b.WriteString("| package | benchmark | runs | time/op | memory/op | allocs/op | metrics |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---|\n")
	for _, rw := range res.rows {
		var t, mem, allocs string
		var other []string
		for _, m := range rw.metrics {
			switch m.unit {
			case "ns/op":
				t = time.Duration(m.value).Round(roundTo(m.value)).String()
			case "B/op":
				mem = byteSize(m.value)
			case "allocs/op":
				allocs = strconv.FormatFloat(m.value, 'f', -1, 64)
			default:
				other = append(other, fmt.Sprintf("%s %s", number(m.value), m.unit))
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s |\n",
			shortPkg(rw.pkg), rw.name, rw.iters, t, mem, allocs, strings.Join(other, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// roundTo keeps about four significant digits of a duration in ns.
func roundTo(ns float64) time.Duration {
	switch {
	case ns >= 1e9:
		return time.Millisecond
	case ns >= 1e6:
		return time.Microsecond
	default:
		return 1
	}
}

func byteSize(v float64) string {
	switch {
	case v >= 1<<30:
		return fmt.Sprintf("%.1f GiB", v/(1<<30))
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}

// number prints integers as such and other values with up to four
// significant digits.
func number(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// shortPkg drops the module path.
func shortPkg(p string) string {
	return strings.TrimPrefix(strings.TrimPrefix(p, "github.com/peerd/peerd"), "/")
}
