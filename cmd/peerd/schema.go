package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/peerd/peerd/desired"
)

func newSchemaCmd() *cobra.Command {
	var config bool
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of peer definitions (or of the config)",
		Long: `schema prints the JSON Schema (draft 2020-12) of a peer definition document,
or with --config of the daemon configuration, for editors. Save it and point
yaml-language-server at it from the first line of a file:

  peerd schema > /etc/peerd/peer.schema.json
  # yaml-language-server: $schema=/etc/peerd/peer.schema.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s := desired.PeerSchema()
			if config {
				s = desired.ConfigSchema()
			}
			if !strings.HasSuffix(s, "\n") {
				s += "\n"
			}
			_, err := fmt.Fprint(cmd.OutOrStdout(), s)
			return err
		},
	}
	cmd.Flags().BoolVar(&config, "config", false, "print the schema of the daemon configuration instead")
	return cmd
}
