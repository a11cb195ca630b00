package main

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at link time (-ldflags "-X main.version=...") by release builds.
var version = ""

// exitCodeError carries a specific exit code out of a command (e.g. 2 for
// "changes pending"); err, when set, is printed to stderr.
type exitCodeError struct {
	code int
	err  error
}

func (e exitCodeError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit status %d", e.code)
}

func asExitCode(err error, target *exitCodeError) bool { return errors.As(err, target) }

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "peerd",
		Short: "Declarative reconciliation of NetApp ONTAP cluster peering",
		Long: `peerd keeps NetApp ONTAP cluster peering relationships in the state declared in
YAML files: it creates, updates and (only when told to) deletes peers on both
sides, and exports peer health and passphrase expiry to Prometheus.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newVersionCmd())
	root.AddCommand(newRunCmd())
	root.AddCommand(newValidateCmd(), newSchemaCmd())
	root.AddCommand(newManCmd())
	root.AddCommand(newSimCmd())
	root.AddCommand(newPlanCmd(), newApplyCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the peerd version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "peerd %s\n", buildVersion())
			return nil
		},
	}
}

// buildVersion reports the link-time version, else the module version, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
