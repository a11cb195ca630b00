package ontap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// link is a HAL link.
type link struct {
	Href string `json:"href"`
}

// collection is the body of a collection GET (and of wrapped POST/PATCH
// responses).
type collection[T any] struct {
	Records    []T `json:"records"`
	NumRecords int `json:"num_records"`
	Links      struct {
		Next *link `json:"next"`
	} `json:"_links"`
}

// decodeCollection decodes one page of a collection and its next link.
// Unknown fields are ignored: newer ONTAP releases add them.
func decodeCollection[T any](body []byte) ([]T, string, error) {
	var col collection[T]
	if err := json.Unmarshal(body, &col); err != nil {
		return nil, "", err
	}
	next := ""
	if col.Links.Next != nil {
		next = col.Links.Next.Href
	}
	return col.Records, next, nil
}

// decodePeer decodes an instance GET body (one unwrapped record).
func decodePeer(body []byte) (*Peer, error) {
	var p Peer
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// decodeRecord decodes the body of a POST or PATCH response. ONTAP answers
// in one of several shapes: {"num_records":1,"records":[{...}]} (current
// releases), a flat record without uuid (9.9.1-9.11.1), {} or an empty body,
// or a job reference. It returns nil, nil when the body holds no record.
func decodeRecord[T any](body []byte) (*T, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, nil
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, err
	}
	if raw, ok := probe["records"]; ok {
		var recs []T
		if err := json.Unmarshal(raw, &recs); err != nil {
			return nil, fmt.Errorf("records: %w", err)
		}
		if len(recs) == 0 {
			return nil, nil
		}
		return &recs[0], nil
	}
	delete(probe, "_links")
	delete(probe, "job")
	delete(probe, "num_records")
	if len(probe) == 0 {
		return nil, nil
	}
	var rec T
	if err := json.Unmarshal(body, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// jobRef is the job reference of an asynchronous response.
type jobRef struct {
	Job *struct {
		UUID string `json:"uuid"`
	} `json:"job"`
}

// jobOf returns the uuid of the job a response refers to, if any.
func jobOf(r *response) string {
	if len(r.body) == 0 || !bytes.Contains(r.body, []byte(`"job"`)) {
		return ""
	}
	var j jobRef
	if json.Unmarshal(r.body, &j) != nil || j.Job == nil {
		return ""
	}
	return j.Job.UUID
}

// errNoRecord reports a successful response that did not say which record
// it made.
var errNoRecord = errors.New("response holds no record")

// secretValues returns the passphrase and password values a JSON request
// body carries, so that an answer echoing one can be redacted too.
func secretValues(body []byte) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, val := range t {
				if s, ok := val.(string); ok && secretKey(k) && s != "" {
					out = append(out, s)
					continue
				}
				walk(val)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// redactJSON renders a JSON body for trace logs with every passphrase and
// password value replaced, and every occurrence of the given secrets (those
// of the request, which an error message may echo); a body that is not JSON
// is summarised by size.
func redactJSON(body []byte, secrets ...string) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Sprintf("(%d bytes, not JSON)", len(body))
	}
	out, err := json.Marshal(redactValue(v))
	if err != nil {
		return fmt.Sprintf("(%d bytes)", len(body))
	}
	text := string(out)
	for _, sec := range secrets {
		// As it stands in the re-encoded JSON (json.Marshal escapes <, >, &).
		if q, err := json.Marshal(sec); err == nil {
			text = strings.ReplaceAll(text, string(q[1:len(q)-1]), "(sensitive)")
		}
	}
	return text
}

func redactValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if secretKey(k) {
				t[k] = "(sensitive)"
				continue
			}
			t[k] = redactValue(val)
		}
	case []any:
		for i := range t {
			t[i] = redactValue(t[i])
		}
	}
	return v
}

// secretKey matches "passphrase", "password" and dotted forms such as
// "authentication.passphrase".
func secretKey(k string) bool {
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		k = k[i+1:]
	}
	return k == "passphrase" || k == "password"
}
