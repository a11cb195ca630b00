package desired

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

func compileSchema(t *testing.T, name, text string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatalf("%s is not valid JSON: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return s
}

// yamlDocs decodes every document of a YAML file into JSON values.
func yamlDocs(t *testing.T, data []byte) []any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		j, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, j)
	}
}

func validateFiles(t *testing.T, s *jsonschema.Schema, glob string) int {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range yamlDocs(t, b) {
			n++
			if err := s.Validate(doc); err != nil {
				t.Errorf("%s document %d: %v", f, i+1, err)
			}
		}
	}
	return n
}

func TestSchemasValidateExamples(t *testing.T) {
	peer := compileSchema(t, "peer.schema.json", PeerSchema())
	config := compileSchema(t, "config.schema.json", ConfigSchema())
	if n := validateFiles(t, peer, "../examples/*/peers.d/*.yaml"); n < 7 {
		t.Errorf("only %d example definitions checked", n)
	}
	if n := validateFiles(t, config, "../examples/*/peerd.yaml"); n != 5 {
		t.Errorf("%d example configs checked, want 5", n)
	}
	validateFiles(t, config, "testdata/config/full.yaml")
	validateFiles(t, config, "testdata/config/minimal.yaml")
}

// TestSchemaRejects checks that the schema catches, while typing, the
// mistakes it can see: shape, names and enums.
func TestSchemaRejects(t *testing.T) {
	peer := compileSchema(t, "peer.schema.json", PeerSchema())
	for _, name := range []string{
		"unknown-key", "bad-ip", "enum-typo", "inline-secret",
		"remote-kind", "not-a-mapping", "wrong-types", "expiry-no-unit",
	} {
		t.Run(name, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join("testdata/defs", name, "*.yaml"))
			failed := false
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				for _, doc := range yamlDocs(t, b) {
					if peer.Validate(doc) != nil {
						failed = true
					}
				}
			}
			if !failed {
				t.Errorf("schema accepts testdata/defs/%s", name)
			}
		})
	}
}
