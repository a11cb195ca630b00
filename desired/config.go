package desired

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults applied by LoadConfig to settings that are left out.
const (
	DefaultDefinitions       = "peers.d"
	DefaultResyncInterval    = 5 * time.Minute
	MinResyncInterval        = 10 * time.Second
	DefaultMaxDeletes        = 1
	DefaultListen            = "127.0.0.1:9731"
	DefaultLogLevel          = "info"
	DefaultLogFormat         = "auto"
	DefaultConcurrency       = 8
	DefaultTimeout           = 30 * time.Second
	DefaultRequestsPerSecond = 10
	DefaultBurst             = 20
)

var (
	logLevels  = []string{"trace", "debug", "info", "warn", "error"}
	logFormats = []string{"auto", "json", "text"}
	envNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	labelRE    = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

var configSecrets = secretKeys{
	"password": "inline passwords are not allowed: use password_file or password_env",
}

// LoadConfig reads the daemon configuration at path strictly (unknown keys
// are errors), applies the defaults of the constants above, resolves
// relative paths against the config file's directory and resolves each
// cluster's password from password_file or password_env. Every problem is
// reported at once, as *Error values joined with errors.Join.
func LoadConfig(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, &Error{File: path, Reason: "cannot read config", Err: unwrapPath(err)}
	}
	docs, serr := readDocuments(path, data)
	if serr != nil {
		return nil, serr
	}
	var root *yaml.Node
	if len(docs) > 0 {
		root = docRoot(docs[0])
	}
	switch {
	case root == nil:
		return nil, &Error{File: path, Reason: "config file is empty"}
	case len(docs) > 1:
		return nil, &Error{File: path, Line: docs[1].Line, Column: docs[1].Column, Reason: "a config file holds one YAML document"}
	case root.Kind != yaml.MappingNode:
		return nil, &Error{File: path, Line: root.Line, Column: root.Column, Reason: "want a mapping of settings, got " + tagWord(root.ShortTag())}
	}
	ck := &configCheck{file: path, base: filepath.Dir(abs), ix: newIndex(root)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	cfg := &Config{Path: abs}
	for _, p := range decodeProblems(dec, ck.ix, cfg, configSecrets) {
		ck.addAt(p.line, p.col, p.field, p.reason)
		ck.decoded = append(ck.decoded, p.field)
	}
	ck.check(cfg)
	if len(ck.errs) > 0 {
		return nil, joinErrors(ck.errs)
	}
	return cfg, nil
}

// Warnings lists settings that are allowed but unsafe, such as disabled
// certificate verification; each is placed like a problem.
func (c *Config) Warnings() []error {
	var out []error
	for _, cl := range c.Clusters {
		if cl.InsecureSkipVerify {
			out = append(out, &Error{File: cl.Source.File, Line: cl.Source.Line, Column: cl.Source.Column, Cluster: cl.Name,
				Field: "insecure_skip_verify", Reason: "TLS certificate verification is disabled"})
		}
	}
	return out
}

// Cluster returns the configured cluster called name.
func (c *Config) Cluster(name string) (Cluster, bool) {
	for _, cl := range c.Clusters {
		if cl.Name == name {
			return cl, true
		}
	}
	return Cluster{}, false
}

type configCheck struct {
	file string
	base string // directory of the config file
	ix   *index
	errs []*Error
	// decoded lists fields with a decoding problem (see peerCheck).
	decoded []string
}

var clusterPathRE = regexp.MustCompile(`^clusters\[(\d+)\](?:\.(.*))?$`)

// addAt records a problem at a known place; a field under clusters[i] is
// attributed to that cluster.
func (ck *configCheck) addAt(line, col int, field, reason string) {
	e := &Error{File: ck.file, Line: line, Column: col, Field: field, Reason: reason}
	if m := clusterPathRE.FindStringSubmatch(field); m != nil {
		if n, ok := ck.ix.vals["clusters["+m[1]+"].name"]; ok && n.Kind == yaml.ScalarNode && n.Value != "" {
			e.Cluster, e.Field = n.Value, m[2]
		}
	}
	ck.errs = append(ck.errs, e)
}

func (ck *configCheck) add(field, format string, args ...any) {
	if related(field, ck.decoded) {
		return
	}
	line, col := ck.ix.at(field)
	ck.addAt(line, col, field, fmt.Sprintf(format, args...))
}

func (ck *configCheck) check(cfg *Config) {
	ix := ck.ix
	if cfg.Definitions == "" {
		cfg.Definitions = DefaultDefinitions
	}
	cfg.Definitions = resolvePath(ck.base, cfg.Definitions)
	switch {
	case !ix.has("resync_interval"):
		cfg.ResyncInterval = Duration(DefaultResyncInterval)
	case cfg.ResyncInterval.Std() < MinResyncInterval:
		ck.add("resync_interval", "must be at least %s", MinResyncInterval)
	}
	switch {
	case !ix.has("prune.max_deletes"):
		cfg.Prune.MaxDeletes = DefaultMaxDeletes
	case cfg.Prune.MaxDeletes < 0:
		ck.add("prune.max_deletes", "must not be negative")
	}
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	} else if _, port, err := net.SplitHostPort(cfg.Listen); err != nil {
		ck.add("listen", "want host:port, e.g. %s", DefaultListen)
	} else if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		ck.add("listen", "invalid port %q", port)
	}
	cfg.WebConfigFile = resolvePath(ck.base, cfg.WebConfigFile)
	if cfg.Log.Level == "" {
		cfg.Log.Level = DefaultLogLevel
	} else if !oneOf(cfg.Log.Level, logLevels) {
		ck.add("log.level", "unknown level %q: want one of %s", cfg.Log.Level, strings.Join(logLevels, ", "))
	}
	if cfg.Log.Format == "" {
		cfg.Log.Format = DefaultLogFormat
	} else if !oneOf(cfg.Log.Format, logFormats) {
		ck.add("log.format", "unknown format %q: want one of %s", cfg.Log.Format, strings.Join(logFormats, ", "))
	}
	switch {
	case !ix.has("concurrency"):
		cfg.Concurrency = DefaultConcurrency
	case cfg.Concurrency < 1:
		ck.add("concurrency", "must be at least 1")
	}
	if len(cfg.Clusters) == 0 {
		ck.add("clusters", "at least one cluster is required")
	}
	seen := map[string]int{}
	for i := range cfg.Clusters {
		ck.checkCluster(i, &cfg.Clusters[i], seen)
	}
}

func (ck *configCheck) checkCluster(i int, cl *Cluster, seen map[string]int) {
	p := fmt.Sprintf("clusters[%d]", i)
	f := func(name string) string { return p + "." + name }
	line, col := ck.ix.at(p)
	cl.Source = Source{File: ck.file, Line: line, Column: col}
	switch {
	case cl.Name == "":
		ck.add(f("name"), "required")
	case !clusterNameRE.MatchString(cl.Name):
		ck.add(f("name"), "invalid cluster name: %s", clusterNameRule)
	default:
		if prev, dup := seen[cl.Name]; dup {
			ck.add(f("name"), "duplicate cluster name; also at line %d", prev)
		} else {
			seen[cl.Name] = line
		}
	}
	ck.checkURL(f("url"), cl.URL)
	certAuth := cl.CertFile != "" || cl.KeyFile != ""
	if certAuth && (cl.CertFile == "" || cl.KeyFile == "") {
		ck.add(p, "cert_file and key_file go together")
	}
	cl.CAFile = resolvePath(ck.base, cl.CAFile)
	cl.CertFile = resolvePath(ck.base, cl.CertFile)
	cl.KeyFile = resolvePath(ck.base, cl.KeyFile)
	if cl.KeyFile != "" {
		if _, err := readSecretFile(cl.KeyFile); err != nil {
			ck.add(f("key_file"), "%s", err)
		}
	}
	if cl.Username == "" && !certAuth {
		ck.add(f("username"), "required (or use cert_file and key_file)")
	}
	ck.checkPassword(p, cl, certAuth)
	switch {
	case !ck.ix.has(f("timeout")):
		cl.Timeout = Duration(DefaultTimeout)
	case cl.Timeout <= 0:
		ck.add(f("timeout"), "must be positive")
	}
	switch {
	case !ck.ix.has(f("rate_limit.requests_per_second")):
		cl.RateLimit.RequestsPerSecond = DefaultRequestsPerSecond
	case cl.RateLimit.RequestsPerSecond <= 0:
		ck.add(f("rate_limit.requests_per_second"), "must be positive")
	}
	switch {
	case !ck.ix.has(f("rate_limit.burst")):
		cl.RateLimit.Burst = DefaultBurst
	case cl.RateLimit.Burst < 1:
		ck.add(f("rate_limit.burst"), "must be at least 1")
	}
	keys := make([]string, 0, len(cl.Labels))
	for k := range cl.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !labelRE.MatchString(k) || strings.HasPrefix(k, "__") {
			ck.add(f("labels."+k), "invalid label name %q", k)
		} else if k == "cluster" {
			ck.add(f("labels."+k), "%q is reserved: every series of the cluster has it already", k)
		}
	}
}

func (ck *configCheck) checkURL(field, raw string) {
	if raw == "" {
		ck.add(field, "required")
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		ck.add(field, "want an address such as https://cluster-a.example.com")
	case u.User != nil:
		ck.add(field, "must not hold credentials: use username and password_file or password_env")
	case u.Scheme != "https":
		ck.add(field, "scheme must be https")
	}
}

func (ck *configCheck) checkPassword(p string, cl *Cluster, certAuth bool) {
	f := func(name string) string { return p + "." + name }
	switch {
	case cl.PasswordFile != "" && cl.PasswordEnv != "":
		ck.add(f("password_env"), "set either password_file or password_env, not both")
		return
	case certAuth && (cl.PasswordFile != "" || cl.PasswordEnv != ""):
		ck.add(p, "set either a password (password_file, password_env) or a client certificate (cert_file, key_file), not both")
		return
	case cl.PasswordFile != "":
		cl.PasswordFile = resolvePath(ck.base, cl.PasswordFile)
		pw, err := readSecretFile(cl.PasswordFile)
		if err != nil {
			ck.add(f("password_file"), "%s", err)
			return
		}
		cl.Password = secret(pw)
	case cl.PasswordEnv != "":
		if !envNameRE.MatchString(cl.PasswordEnv) {
			ck.add(f("password_env"), "invalid environment variable name")
			return
		}
		pw, ok := os.LookupEnv(cl.PasswordEnv)
		if !ok || strings.TrimSpace(pw) == "" {
			ck.add(f("password_env"), "environment variable %s is not set", cl.PasswordEnv)
			return
		}
		cl.Password = secret(pw)
	case !certAuth:
		ck.add(p, "set password_file or password_env (or cert_file and key_file)")
	}
}

func oneOf(s string, list []string) bool {
	for _, v := range list {
		if s == v {
			return true
		}
	}
	return false
}
