package desired

import (
	"bytes"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// def is a parsed definition with the node index that places its fields.
type def struct {
	peer Peer
	ix   *index
}

// parseFile strictly decodes every document of one definition file and
// validates each definition on its own. Empty documents are skipped.
// Cross-definition checks are the Loader's.
func parseFile(cfg *Config, file string, data []byte) ([]def, []*Error) {
	docs, serr := readDocuments(file, data)
	if serr != nil {
		return nil, []*Error{serr}
	}
	base := filepath.Dir(cfg.Path)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var defs []def
	var errs []*Error
	for _, doc := range docs {
		root := docRoot(doc)
		if root == nil || root.Kind != yaml.MappingNode {
			var skip yaml.Node
			_ = dec.Decode(&skip) // keep the strict decoder on the same document
			if root != nil {
				errs = append(errs, &Error{File: file, Line: root.Line, Column: root.Column,
					Reason: "want a peer definition (a mapping), got " + tagWord(root.ShortTag())})
			}
			continue
		}
		ix := newIndex(root)
		var p Peer
		probs := decodeProblems(dec, ix, &p, peerSecrets)
		pc := &peerCheck{file: file, base: base, ix: ix, cfg: cfg, name: p.Name}
		for _, tp := range probs {
			pc.errs = append(pc.errs, &Error{File: file, Line: tp.line, Column: tp.col, Peer: p.Name, Field: tp.field, Reason: tp.reason})
			pc.decoded = append(pc.decoded, tp.field)
		}
		pc.check(&p)
		p.Source = Source{File: file, Line: root.Line, Column: root.Column}
		if len(pc.errs) > 0 {
			errs = append(errs, pc.errs...)
			continue
		}
		defs = append(defs, def{peer: p, ix: ix})
	}
	return defs, errs
}
