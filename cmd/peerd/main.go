// Command peerd keeps NetApp ONTAP cluster peering in the state declared in YAML.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run executes the CLI with args and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		var ec exitCodeError
		if asExitCode(err, &ec) {
			if ec.err != nil {
				fmt.Fprintln(stderr, "peerd:", ec.err)
			}
			return ec.code
		}
		fmt.Fprintln(stderr, "peerd:", err)
		return 1
	}
	return 0
}
