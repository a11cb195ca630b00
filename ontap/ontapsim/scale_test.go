package ontapsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// serve runs one request in-process (setup of large worlds; assertions
// still go over HTTP).
func serve(t testing.TB, c *Cluster, method, path string, body any) map[string]any {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(string(b)))
	req.SetBasicAuth(DefaultUsername, DefaultPassword)
	rr := httptest.NewRecorder()
	c.Handler().ServeHTTP(rr, req)
	if rr.Code >= 300 {
		t.Fatalf("%s %s on %s: %d %s", method, path, c.Name(), rr.Code, rr.Body.String())
	}
	var out map[string]any
	_ = json.Unmarshal(rr.Body.Bytes(), &out)
	return out
}

// TestScale200Clusters builds 200 clusters with 250 peers each: every
// cluster is peered with the 199 others (both records established) and
// holds 51 anonymous offers. Then every listing is complete and consistent.
func TestScale200Clusters(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 50,000 peer records")
	}
	const n, perCluster = 200, 250
	w := New(Options{Clock: NewFakeClock(t0), Seed: 3, RoutePropagationDelay: -1})
	cs := make([]*Cluster, n)
	for i := range cs {
		c, err := w.AddCluster(ClusterConfig{Name: fmt.Sprintf("c%03d", i)})
		if err != nil {
			t.Fatal(err)
		}
		cs[i] = c
	}
	ips := make([][]string, n)
	for i, c := range cs {
		ips[i] = c.InterclusterAddresses("")
	}
	for i := range cs {
		for j := i + 1; j < n; j++ {
			pass := fmt.Sprintf("pass-%03d-%03d", i, j)
			serve(t, cs[i], "POST", "/api/cluster/peers", offerBody(ips[j], pass))
			serve(t, cs[j], "POST", "/api/cluster/peers", offerBody(ips[i], pass))
		}
		for range perCluster - (n - 1) {
			serve(t, cs[i], "POST", "/api/cluster/peers", map[string]any{})
		}
	}
	srv := httptest.NewServer(cs[123].Handler())
	defer srv.Close()
	for _, c := range cs {
		recs := c.Peers()
		if len(recs) != perCluster {
			t.Fatalf("%s has %d records", c.Name(), len(recs))
		}
		avail := 0
		for _, r := range recs {
			if r.State == "available" {
				avail++
			}
		}
		if avail != n-1 {
			t.Fatalf("%s has %d available peers, want %d", c.Name(), avail, n-1)
		}
	}
	got, requests := listAll(t, srv.URL, "/api/cluster/peers?max_records=100&fields=status.state")
	if got != perCluster || requests != 3 {
		t.Fatalf("listed %d records in %d requests", got, requests)
	}
}

// listAll follows _links.next over HTTP and returns records and requests.
func listAll(t testing.TB, base, path string) (records, requests int) {
	t.Helper()
	for path != "" {
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(DefaultUsername, DefaultPassword)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			NumRecords int `json:"num_records"`
			Links      struct {
				Next *struct {
					Href string `json:"href"`
				} `json:"next"`
			} `json:"_links"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
		requests++
		records += page.NumRecords
		path = ""
		if page.Links.Next != nil {
			path = page.Links.Next.Href
		}
	}
	return records, requests
}

// BenchmarkListPeers lists the 10,000 peers of one cluster over HTTP with
// pages of 1,000 records and the fields a reconciler asks for.
func BenchmarkListPeers(b *testing.B) {
	w := New(Options{Clock: NewFakeClock(t0), Seed: 5})
	c, err := w.AddCluster(ClusterConfig{Name: "big"})
	if err != nil {
		b.Fatal(err)
	}
	for range 10000 {
		serve(b, c, "POST", "/api/cluster/peers", map[string]any{})
	}
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	const path = "/api/cluster/peers?max_records=1000&fields=name,uuid,remote,status,encryption,ipspace"
	b.ReportAllocs()
	b.ResetTimer()
	requests := 0
	for b.Loop() {
		got, reqs := listAll(b, srv.URL, path)
		if got != 10000 {
			b.Fatalf("listed %d", got)
		}
		requests += reqs
	}
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
}
