package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/peerd/peerd/reconcile"
)

// applyFlags are the flags of `peerd apply`.
type applyFlags struct {
	config      string
	autoApprove bool
}

func newApplyCmd() *cobra.Command {
	var f applyFlags
	cmd := &cobra.Command{
		Use:   "apply --config FILE [--auto-approve]",
		Short: "Plan, confirm and apply the changes",
		Long: `apply computes the same plan as 'peerd plan', prints it and, after
confirmation, applies it: creates, updates and deletes peer records on both
sides, then reads them back. Generated passphrases stay in memory (and in an
offer's handover file).

On a terminal apply asks for "yes"; --auto-approve skips the question.
Without a terminal and without --auto-approve it refuses. It also refuses
while a definition file is broken, a cluster cannot be observed, or the
configuration sets dry_run. Exit codes: 0 applied (or nothing to do), 1 an
error or any failed action.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runApply(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "/etc/peerd/peerd.yaml", "daemon configuration file")
	fl.BoolVar(&f.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	return cmd
}

func runApply(cmd *cobra.Command, f applyFlags) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	pc, err := preparePlan(ctx, f.config, cmd.ErrOrStderr())
	if err != nil {
		return exitCodeError{code: 1, err: err}
	}
	if err := pc.plan.Render(out, reconcile.RenderOptions{Color: colorOutput(out)}); err != nil {
		return exitCodeError{code: 1, err: fmt.Errorf("write plan: %w", err)}
	}
	if err := pc.incomplete(); err != nil {
		return exitCodeError{code: 1, err: fmt.Errorf("refusing to apply an incomplete plan: %w", err)}
	}
	if !pc.plan.HasChanges() {
		return nil
	}
	if pc.cfg.DryRun {
		return exitCodeError{code: 1, err: errors.New("refusing to apply: the configuration sets dry_run")}
	}
	if !f.autoApprove {
		if err := confirm(cmd.InOrStdin(), out); err != nil {
			return exitCodeError{code: 1, err: err}
		}
	}
	results := reconcile.Apply(ctx, pc.apis, pc.plan, reconcile.Options{
		Desired:     pc.set,
		Concurrency: pc.cfg.Concurrency,
		Log:         pc.log.Named("apply"),
	})
	failed := printResults(out, results)
	if failed > 0 {
		return exitCodeError{code: 1, err: fmt.Errorf("%d action(s) failed or were skipped", failed)}
	}
	return nil
}

// confirm asks for "yes" on a terminal.
func confirm(in io.Reader, out io.Writer) error {
	if !terminal(in) {
		return errors.New("refusing to apply without confirmation: stdin is not a terminal (use --auto-approve)")
	}
	fmt.Fprint(out, "\nDo you want to apply these actions? Only 'yes' is accepted: ")
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("read confirmation: %w", err)
	}
	if strings.TrimSpace(line) != "yes" {
		return errors.New("apply cancelled")
	}
	return nil
}

// printResults writes one line per applied action and a summary; it
// returns how many failed or were skipped.
func printResults(out io.Writer, results []reconcile.Result) int {
	var ok, failed, refused int
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nOUTCOME\tACTION\tRELATIONSHIP\tCLUSTER\tUUID\tERROR")
	for _, r := range results {
		switch r.Outcome {
		case reconcile.OutcomeOK:
			ok++
		case reconcile.OutcomeRefused:
			refused++
		default:
			failed++
		}
		msg := ""
		if r.Err != nil {
			msg = r.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Outcome, r.Kind, r.Relationship, r.Cluster, r.UUID, msg)
	}
	_ = tw.Flush()
	fmt.Fprintf(out, "\nApply complete: %d ok, %d failed or skipped, %d refused.\n", ok, failed, refused)
	return failed
}

// terminal reports whether v is an *os.File on a terminal (not merely a
// character device such as /dev/null).
func terminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
