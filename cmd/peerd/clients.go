package main

import (
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
)

// newClients builds one ONTAP client per configured cluster, each with its
// own rate limit, timeout and credentials. obs (may be nil) receives every
// HTTP attempt for metrics. No cluster is contacted.
func newClients(cfg *desired.Config, log hclog.Logger, obs ontap.Observer) (map[string]*ontap.Client, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	out := make(map[string]*ontap.Client, len(cfg.Clusters))
	for _, c := range cfg.Clusters {
		cl, err := ontap.New(ontap.Config{
			Name:               c.Name,
			URL:                c.URL,
			Username:           c.Username,
			Password:           ontap.Secret(c.Password),
			CAFile:             c.CAFile,
			CertFile:           c.CertFile,
			KeyFile:            c.KeyFile,
			InsecureSkipVerify: c.InsecureSkipVerify,
			Timeout:            time.Duration(c.Timeout),
			RateLimit:          c.RateLimit.RequestsPerSecond,
			Burst:              c.RateLimit.Burst,
			Logger:             log,
			Observer:           obs,
		})
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", c.Name, err)
		}
		out[c.Name] = cl
	}
	return out, nil
}
