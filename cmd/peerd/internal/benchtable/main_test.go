package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/peerd/peerd/reconcile
cpu: Intel(R) Xeon(R) Processor
BenchmarkNoOpPass-2        	       3	  28335364 ns/op	      1010 baseline-requests/pass	        50.50 ratio	        20.00 requests/pass	 9897533 B/op	  111136 allocs/op
BenchmarkDiffRender10k-2   	       3	 172754148 ns/op	     10000 relationships	27532232 B/op	  171317 allocs/op
PASS
ok  	github.com/peerd/peerd/reconcile	3.898s
pkg: github.com/peerd/peerd/ontap
BenchmarkListPeers/10000-2 	      10	 123456 ns/op
`

func TestTable(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(nil, strings.NewReader(sample), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want := `CPU: Intel(R) Xeon(R) Processor

| package | benchmark | runs | time/op | memory/op | allocs/op | metrics |
|---|---|---:|---:|---:|---:|---|
| reconcile | NoOpPass | 3 | 28.335ms | 9.4 MiB | 111136 | 1010 baseline-requests/pass, 50.5 ratio, 20 requests/pass |
| reconcile | DiffRender10k | 3 | 172.754ms | 26.3 MiB | 171317 | 10000 relationships |
| ontap | ListPeers/10000 | 10 | 123.456µs |  |  |  |
`
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestFailures(t *testing.T) {
	for name, in := range map[string]string{
		"no results": "PASS\nok x 1s\n",
		"failed run": sample + "--- FAIL: BenchmarkX\nFAIL\n",
		"panic":      sample + "panic: boom\n",
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(nil, strings.NewReader(in), &out, &errOut); code != 1 {
				t.Fatalf("exit %d, want 1", code)
			}
			if errOut.Len() == 0 {
				t.Fatal("no message on stderr")
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{t.TempDir() + "/none"}, nil, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
}
