package desired

import _ "embed"

//go:embed schema/peer.schema.json
var peerSchema string

//go:embed schema/config.schema.json
var configSchema string

// PeerSchema returns the JSON Schema (draft 2020-12) of a peer definition
// document, for editors: yaml-language-server reads it from a
// "# yaml-language-server: $schema=<path or URL>" comment. The loader's
// checks are stricter (clusters, secrets, conflicts); the schema catches
// shape, names and enums while typing.
func PeerSchema() string { return peerSchema }

// ConfigSchema returns the JSON Schema (draft 2020-12) of the daemon
// configuration file.
func ConfigSchema() string { return configSchema }
