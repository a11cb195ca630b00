package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/peerd/peerd/desired"
)

func newValidateCmd() *cobra.Command {
	var config string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the config and every peer definition, report all problems",
		Long: `validate loads the daemon configuration and every definition file exactly as
the daemon does, without contacting ONTAP. It prints every problem, one per
line as file:line:col: peer "x": field: reason, and exits 1; or it prints a
one-line summary and exits 0. Warnings (such as disabled certificate
verification) go to stderr and do not fail the check.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runValidate(config, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVarP(&config, "config", "c", "/etc/peerd/peerd.yaml", "daemon configuration file")
	return cmd
}

func runValidate(config string, stdout, stderr io.Writer) error {
	cfg, err := desired.LoadConfig(config)
	if err != nil {
		printProblems(stdout, err)
		return exitCodeError{code: 1}
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(stderr, "warning: %s\n", displayProblem(w))
	}
	peers, broken := desired.LoadDir(cfg)
	if len(broken) > 0 {
		for _, fe := range broken {
			printProblems(stdout, fe.Err)
		}
		return exitCodeError{code: 1}
	}
	files := map[string]bool{}
	absent := 0
	for _, p := range peers {
		files[p.Source.File] = true
		if p.State == desired.Absent {
			absent++
		}
	}
	summary := fmt.Sprintf("ok: %s, %s", count(len(cfg.Clusters), "cluster"), count(len(peers), "relationship"))
	if absent > 0 {
		summary += fmt.Sprintf(" (%d absent)", absent)
	}
	fmt.Fprintf(stdout, "%s in %s\n", summary, count(len(files), "file"))
	return nil
}

func printProblems(w io.Writer, err error) {
	for _, e := range desired.Problems(err) {
		fmt.Fprintln(w, displayProblem(e))
	}
}

// displayProblem renders a problem with its file relative to the working
// directory when it lies below it.
func displayProblem(err error) string {
	e, ok := err.(*desired.Error)
	if !ok {
		return err.Error()
	}
	c := *e
	c.File = displayPath(c.File)
	return c.Error()
}

func displayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(p) {
		return p
	}
	rel, err := filepath.Rel(wd, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return p
	}
	return rel
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
