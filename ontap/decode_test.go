package ontap

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeRecordShapes(t *testing.T) {
	expiry := time.Date(2021, 5, 25, 20, 4, 15, 0, time.FixedZone("", -4*3600))
	tests := []struct {
		name string
		body string
		want *Peer
	}{
		{
			name: "wrapped",
			body: `{"num_records":1,"records":[{"uuid":"86de6c46-bdad-11eb-83cd-005056bb267e","name":"Clus_fghf",
				"authentication":{"passphrase":"pLznaom1ctesJFq4kt5Qfghf","expiry_time":"2021-05-25T20:04:15-04:00"},
				"ip_address":"0.0.0.0","_links":{"self":{"href":"/api/cluster/peers/86de6c46-bdad-11eb-83cd-005056bb267e"}}}]}`,
			want: &Peer{UUID: "86de6c46-bdad-11eb-83cd-005056bb267e", Name: "Clus_fghf", IPAddress: "0.0.0.0",
				Authentication: &PeerAuthentication{Passphrase: "pLznaom1ctesJFq4kt5Qfghf", ExpiryTime: expiry}},
		},
		{
			name: "flat without uuid",
			body: `{"authentication":{"expiry_time":"2021-05-25T20:04:15-04:00","passphrase":"pLznaom1ctesJFq4kt5Qfghf"},
				"ip_address":"1.2.3.5","name":"cp_xyz123"}`,
			want: &Peer{Name: "cp_xyz123", IPAddress: "1.2.3.5",
				Authentication: &PeerAuthentication{Passphrase: "pLznaom1ctesJFq4kt5Qfghf", ExpiryTime: expiry}},
		},
		{name: "empty object", body: `{}`},
		{name: "empty body", body: ``},
		{name: "links only", body: `{"_links":{"self":{"href":"/api/cluster/peers"}}}`},
		{name: "empty records", body: `{"num_records":0,"records":[]}`},
		{
			name: "hyphenated tls-psk and unknown fields",
			body: `{"uuid":"u1","encryption":{"proposed":"tls-psk","state":"tls_psk"},"brand_new_field":{"x":[1,2]},
				"status":{"state":"available","update_time":"2021-05-25T19:38:55-04:00","newer":true}}`,
			want: &Peer{UUID: "u1", Encryption: &PeerEncryption{Proposed: EncryptionTLSPSK, State: EncryptionTLSPSK},
				Status: &PeerStatus{State: PeerAvailable, UpdateTime: time.Date(2021, 5, 25, 19, 38, 55, 0, time.FixedZone("", -4*3600))}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeRecord[Peer]([]byte(tt.body))
			if err != nil {
				t.Fatalf("decodeRecord: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeCollection(t *testing.T) {
	body := `{"records":[{"uuid":"a","name":"x"},{"uuid":"b","name":"y","remote":{"name":"cb","ip_addresses":["192.0.2.1"]}}],
		"num_records":2,"_links":{"self":{"href":"/api/cluster/peers"},"next":{"href":"/api/cluster/peers?start.uuid=b&max_records=2"}}}`
	peers, next, err := decodeCollection[Peer]([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(peers) != 2 || peers[1].Remote.Name != "cb" || peers[1].Remote.IPAddresses[0] != "192.0.2.1" {
		t.Errorf("peers = %+v", peers)
	}
	if next != "/api/cluster/peers?start.uuid=b&max_records=2" {
		t.Errorf("next = %q", next)
	}
}

func TestDecodeTimeOffsetKept(t *testing.T) {
	p, err := decodePeer([]byte(`{"authentication":{"expiry_time":"2021-05-26T12:34:56-04:00"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2021, 5, 26, 16, 34, 56, 0, time.UTC)
	if !p.Authentication.ExpiryTime.Equal(want) {
		t.Errorf("expiry = %v, want %v", p.Authentication.ExpiryTime, want)
	}
}

func TestRedactJSON(t *testing.T) {
	body := `{"authentication":{"passphrase":"s3cr3t-pass","generate_passphrase":true},
		"records":[{"authentication":{"passphrase":"other-s3cr3t"}}],"authentication.passphrase":"dotted-s3cr3t",
		"password":"pw-s3cr3t","name":"keep-me"}`
	got := redactJSON([]byte(body))
	for _, secret := range []string{"s3cr3t-pass", "other-s3cr3t", "dotted-s3cr3t", "pw-s3cr3t"} {
		if strings.Contains(got, secret) {
			t.Errorf("redacted body %s still holds %q", got, secret)
		}
	}
	if !strings.Contains(got, "keep-me") || !strings.Contains(got, "generate_passphrase") {
		t.Errorf("redacted body lost non-secret data: %s", got)
	}
	if got := redactJSON([]byte("not json s3cr3t")); strings.Contains(got, "s3cr3t") {
		t.Errorf("non-JSON body leaked: %s", got)
	}
}

func TestPathTemplate(t *testing.T) {
	tests := map[string]string{
		"/api/cluster/peers": "/api/cluster/peers",
		"/api/cluster/peers/86de6c46-bdad-11eb-83cd-005056bb267e": "/api/cluster/peers/{uuid}",
		"/api/cluster/jobs/j1":         "/api/cluster/jobs/{uuid}",
		"/api/network/ip/interfaces/x": "/api/network/ip/interfaces/{uuid}",
		"/api/cluster":                 "/api/cluster",
	}
	for in, want := range tests {
		if got := pathTemplate(in); got != want {
			t.Errorf("pathTemplate(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDecodePeers feeds arbitrary bytes to every ONTAP response decoder:
// collection pages, instance records, POST/PATCH bodies, job references
// and error bodies. None may panic.
func FuzzDecodePeers(f *testing.F) {
	seeds := []string{
		`{"num_records":1,"records":[{"uuid":"u","name":"n","authentication":{"passphrase":"p","expiry_time":"2021-05-25T20:04:15-04:00"}}]}`,
		`{"authentication":{"expiry_time":"2021-05-25T20:04:15-04:00","passphrase":"x"},"ip_address":"1.2.3.5","name":"cp"}`,
		`{"records":[{"uuid":"a"}],"_links":{"next":{"href":"/api/cluster/peers?start.uuid=a"}}}`,
		`{"uuid":"u","encryption":{"proposed":"tls-psk"},"status":{"state":"available"},"version":{"generation":9}}`,
		`{"job":{"uuid":"j","_links":{"self":{"href":"/api/cluster/jobs/j"}}}}`,
		`{"error":{"message":"entry doesn't exist","code":"4","target":"uuid"}}`,
		`{}`, ``, `[]`, `null`, `{"records":null}`, `{"records":[null]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _, _ = decodeCollection[Peer](body)
		_, _ = decodePeer(body)
		_, _ = decodeRecord[Peer](body)
		_, _ = decodeRecord[IPInterface](body)
		_ = jobOf(&response{body: body})
		_ = newHTTPError("GET", "/api/cluster/peers", 400, body).Error()
		_ = redactJSON(body)
	})
}
