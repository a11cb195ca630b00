package reconcile

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// RenderOptions controls text rendering.
type RenderOptions struct {
	// Color adds ANSI colours (the CLI asks for them on a terminal).
	Color bool
	// Verbose also lists relationships that need nothing (no-op).
	Verbose bool
}

// ANSI colours.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiRed     = "\x1b[31m"
	ansiMagenta = "\x1b[35m"
	ansiDim     = "\x1b[2m"
)

// symbol is the terraform-like marker and colour of an action kind.
func symbol(k Kind) (string, string) {
	switch k {
	case KindCreate:
		return "+", ansiGreen
	case KindDelete:
		return "-", ansiRed
	case KindReplace:
		return "-/+", ansiMagenta
	default:
		return "~", ansiYellow
	}
}

// statusText is how a relationship's header describes its status.
func statusText(s Status) string {
	switch s {
	case StatusCreate:
		return "will be created"
	case StatusUpdate:
		return "will be updated in-place"
	case StatusReplace:
		return "will be replaced"
	case StatusDelete:
		return "will be deleted"
	case StatusRefused:
		return "has changes that are refused"
	case StatusUnknown:
		return "is unknown"
	case StatusFrozen:
		return "is frozen"
	case StatusUnmanaged:
		return "is not managed"
	default:
		return "is up to date"
	}
}

// Render writes the plan as text: one block per relationship with actions
// or notes, then the summary line and plan-wide notes.
func (p Plan) Render(w io.Writer, opts RenderOptions) error {
	ew := &errWriter{w: w}
	c := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	for _, r := range p.Relationships {
		if len(r.Actions) == 0 && len(r.Notes) == 0 && !opts.Verbose {
			continue
		}
		where := ""
		if r.Source != "" {
			where = " (" + r.Source + ")"
		}
		ew.printf("  %s\n", c(ansiBold, fmt.Sprintf("# %s%s %s", r.Name, where, statusText(r.Status))))
		for _, n := range r.Notes {
			ew.printf("    %s\n", c(ansiDim, "note: "+n))
		}
		for _, a := range r.Actions {
			renderAction(ew, a, c)
		}
		ew.printf("\n")
	}
	s := p.Summary()
	switch {
	case p.HasChanges():
	case s.Refused > 0 || s.Unknown > 0:
		ew.printf("No changes will be applied.\n")
	default:
		ew.printf("No changes. ONTAP matches the definitions.\n")
	}
	ew.printf("%s\n", c(ansiBold, fmt.Sprintf("Plan: %d to create, %d to update, %d to delete.", s.Create, s.Update, s.Delete)))
	if s.Refused > 0 {
		ew.printf("%s\n", c(ansiRed, fmt.Sprintf("Refused: %d action(s) will not be applied (see above).", s.Refused)))
	}
	if s.Unknown > 0 {
		ew.printf("%s\n", c(ansiYellow, fmt.Sprintf("Unknown: %d relationship(s) could not be planned.", s.Unknown)))
	}
	for _, n := range p.Notes {
		ew.printf("%s\n", c(ansiYellow, "Note: "+n))
	}
	return ew.err
}

func renderAction(ew *errWriter, a Action, c func(string, string) string) {
	sym, col := symbol(a.Kind)
	target := fmt.Sprintf("%s peer on %s", a.Kind, a.Cluster)
	if a.UUID != "" {
		target += " (uuid " + a.UUID + ")"
	}
	ew.printf("  %s %s\n", c(col, sym), target)
	ew.printf("      %s\n", c(ansiDim, "# "+a.Reason))
	if a.Refused != "" {
		ew.printf("      %s\n", c(ansiRed, "# REFUSED: "+a.Refused))
	}
	width := 0
	for _, ch := range a.Changes {
		width = max(width, len(ch.Field))
	}
	for _, ch := range a.Changes {
		field := ch.Field + strings.Repeat(" ", width-len(ch.Field))
		note := ""
		if ch.Note != "" {
			note = " (" + ch.Note + ")"
		}
		switch {
		case ch.Sensitive:
			ew.printf("      %s %s = (sensitive)%s\n", c(col, changeSymbol(a.Kind)), field, note)
		case a.Kind == KindDelete:
			ew.printf("      %s %s = %s\n", c(col, "-"), field, value(ch.Before))
		case a.Kind == KindCreate:
			ew.printf("      %s %s = %s%s\n", c(col, "+"), field, value(ch.After), note)
		default:
			ew.printf("      %s %s = %s -> %s%s\n", c(col, changeSymbol(a.Kind)), field, value(ch.Before), value(ch.After), note)
		}
	}
}

// value renders a Change value: a quoted string, a list, or (none).
func value(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case []string:
		return list(x)
	default:
		return "(none)"
	}
}

func changeSymbol(k Kind) string {
	switch k {
	case KindCreate:
		return "+"
	case KindDelete:
		return "-"
	default:
		return "~"
	}
}

// JSONFormatVersion is the format_version of RenderJSON's output. It changes
// only when a field is removed or its meaning changes; new fields may appear.
const JSONFormatVersion = "1.0"

// jsonPlan is the documented machine-readable plan.
type jsonPlan struct {
	FormatVersion string         `json:"format_version"`
	HasChanges    bool           `json:"has_changes"`
	Summary       Summary        `json:"summary"`
	Relationships []Relationship `json:"relationships"`
	Notes         []string       `json:"notes"`
}

// RenderJSON writes the plan as one indented JSON document (see
// JSONFormatVersion); it never contains a secret.
func (p Plan) RenderJSON(w io.Writer) error {
	out := jsonPlan{
		FormatVersion: JSONFormatVersion,
		HasChanges:    p.HasChanges(),
		Summary:       p.Summary(),
		Relationships: p.Relationships,
		Notes:         p.Notes,
	}
	if out.Relationships == nil {
		out.Relationships = []Relationship{}
	}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
