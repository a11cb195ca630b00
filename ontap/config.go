package ontap

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeout         = 30 * time.Second
	DefaultMaxRecords      = 1000
	DefaultMaxAttempts     = 6
	DefaultMinWait         = 500 * time.Millisecond
	DefaultMaxWait         = 15 * time.Second
	DefaultJobPollInterval = time.Second
	DefaultJobTimeout      = 5 * time.Minute
)

// Observer receives one call per HTTP attempt (retries included): the
// cluster label, method, path template ("/api/cluster/peers/{uuid}", no
// query), status code (0 for transport errors) and duration.
type Observer interface {
	ObserveRequest(cluster, method, path string, code int, d time.Duration)
}

// RetryPolicy bounds retries of transient failures: capped exponential
// backoff with jitter between MinWait and MaxWait, at most MaxAttempts
// attempts per request. Retry-After on 429/503 is honoured.
type RetryPolicy struct {
	MaxAttempts int
	MinWait     time.Duration
	MaxWait     time.Duration
}

// Config configures a Client. Name and URL are required; either Password or
// CertFile+KeyFile authenticates.
type Config struct {
	// Name labels the cluster in logs, errors and metrics.
	Name string
	// URL is the cluster management address, e.g. https://cluster-a.example.com.
	// It must not carry credentials.
	URL string
	// Username and Password are used for HTTP basic authentication.
	Username string
	Password Secret
	// CAFile, when set, replaces the system roots for verifying ONTAP.
	CAFile string
	// CertFile and KeyFile enable certificate authentication (mutual TLS);
	// no basic authentication is sent then.
	CertFile string
	KeyFile  string
	// InsecureSkipVerify disables certificate verification (logged as a warning).
	InsecureSkipVerify bool
	// Timeout bounds each HTTP attempt (default 30s).
	Timeout time.Duration
	// RateLimit is the sustained requests per second to this cluster (every
	// attempt counts); 0 means unlimited. Burst defaults to 1.
	RateLimit float64
	Burst     int
	// Retry bounds retries (defaults: 6 attempts, 500ms to 15s).
	Retry RetryPolicy
	// MaxRecords is the page size of collection GETs (default 1000).
	MaxRecords int
	// JobPollInterval is the period of job polling (default 1s).
	JobPollInterval time.Duration
	// JobTimeout bounds the wait for one job (default 5m): a job that stays
	// queued, running or paused fails the call then.
	JobTimeout time.Duration
	// Logger receives the client's logs (default: none).
	Logger hclog.Logger
	// Observer receives every HTTP attempt (optional).
	Observer Observer
}

// Client talks to one ONTAP cluster. It is safe for concurrent use.
type Client struct {
	name       string
	base       *url.URL
	username   string
	password   Secret
	certAuth   bool
	http       *retryablehttp.Client
	log        hclog.Logger
	retry      RetryPolicy
	maxRecords int
	jobPoll    time.Duration
	jobTimeout time.Duration
}

// New validates cfg and builds a Client. It does not contact ONTAP.
func New(cfg Config) (*Client, error) {
	if cfg.Name == "" {
		return nil, errors.New("ontap client: cluster name is required")
	}
	base, err := parseBaseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("ontap client for %s: %w", cfg.Name, err)
	}
	log := cfg.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	log = log.Named("ontap").With("cluster", cfg.Name)
	cfg = withDefaults(cfg)
	certAuth := cfg.CertFile != "" || cfg.KeyFile != ""
	if certAuth && cfg.Password != "" {
		return nil, fmt.Errorf("ontap client for %s: set either a password or a client certificate, not both", cfg.Name)
	}
	tlsConfig, err := buildTLS(cfg)
	if err != nil {
		return nil, fmt.Errorf("ontap client for %s: %w", cfg.Name, err)
	}
	if cfg.InsecureSkipVerify {
		log.Warn("TLS certificate verification is disabled", "url", base.Redacted())
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsConfig
	tr.MaxIdleConnsPerHost = 8
	var limiter *rate.Limiter
	if cfg.RateLimit > 0 {
		limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), cfg.Burst)
	}
	at := &attemptTransport{
		next:     tr,
		limiter:  limiter,
		timeout:  cfg.Timeout,
		cluster:  cfg.Name,
		observer: cfg.Observer,
		log:      log,
		basePath: base.Path,
	}
	rc := &retryablehttp.Client{
		HTTPClient:   &http.Client{Transport: at, CheckRedirect: noRedirects},
		Logger:       retryLogger{log.Named("http")},
		RetryWaitMin: cfg.Retry.MinWait,
		RetryWaitMax: cfg.Retry.MaxWait,
		RetryMax:     cfg.Retry.MaxAttempts - 1,
		CheckRetry:   checkRetry,
		Backoff:      backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return &Client{
		name:       cfg.Name,
		base:       base,
		username:   cfg.Username,
		password:   cfg.Password,
		certAuth:   certAuth,
		http:       rc,
		log:        log,
		retry:      cfg.Retry,
		maxRecords: cfg.MaxRecords,
		jobPoll:    cfg.JobPollInterval,
		jobTimeout: cfg.JobTimeout,
	}, nil
}

// Name returns the configured cluster label.
func (c *Client) Name() string { return c.name }

func withDefaults(cfg Config) Config {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	if cfg.Retry.MaxAttempts <= 0 {
		cfg.Retry.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Retry.MinWait <= 0 {
		cfg.Retry.MinWait = DefaultMinWait
	}
	if cfg.Retry.MaxWait <= 0 {
		cfg.Retry.MaxWait = DefaultMaxWait
	}
	if cfg.Retry.MaxWait < cfg.Retry.MinWait {
		cfg.Retry.MaxWait = cfg.Retry.MinWait
	}
	if cfg.MaxRecords <= 0 {
		cfg.MaxRecords = DefaultMaxRecords
	}
	if cfg.JobPollInterval <= 0 {
		cfg.JobPollInterval = DefaultJobPollInterval
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = DefaultJobTimeout
	}
	return cfg
}

func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("URL is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse errors echo the input, which might hold credentials.
		return nil, errors.New("URL is not valid")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("URL scheme %q is not http or https", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("URL has no host")
	}
	if u.User != nil {
		return nil, errors.New("URL must not contain credentials; use username and password")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("URL must not contain a query or fragment")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func buildTLS(cfg Config) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify} //nolint:gosec // opt-in, warned
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate found", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	if cfg.CertFile != "" || cfg.KeyFile != "" {
		if cfg.CertFile == "" || cfg.KeyFile == "" {
			return nil, errors.New("client certificate needs both cert file and key file")
		}
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// noRedirects keeps credentials from following a redirect elsewhere; ONTAP's
// API does not redirect.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
