package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sync/errgroup"

	"github.com/peerd/peerd/desired"
	"github.com/peerd/peerd/ontap"
)

// KindVerify labels the Result of the read-back that ends a relationship's
// steps; it never appears in a Plan.
const KindVerify Kind = "verify"

// Outcome is how one action ended.
type Outcome string

// Outcomes.
const (
	OutcomeOK      Outcome = "ok"
	OutcomeFailed  Outcome = "failed"
	OutcomeSkipped Outcome = "skipped" // an earlier step of the relationship failed
	OutcomeRefused Outcome = "refused" // the plan refused the action
)

// Result is the outcome of one action (or verification) of Apply.
type Result struct {
	Relationship string
	Kind         Kind
	Cluster      string
	// UUID is the record acted on (the new one for a create).
	UUID    string
	Outcome Outcome
	// Err is why it failed; it never contains a passphrase.
	Err error
}

// Step is reported to Options.AfterStep after each successful action.
type Step struct {
	Relationship string
	// Index is the action's position in the relationship's Actions.
	Index  int
	Action Action
	// UUID is the record acted on (the new one for a create).
	UUID string
}

// DefaultApplyConcurrency bounds how many relationships Apply works on at once.
const DefaultApplyConcurrency = 4

// Options tunes Apply.
type Options struct {
	// Desired provides the passphrases of unmanaged remotes (passphrase_file);
	// the Plan never holds them.
	Desired *desired.Set
	// Concurrency bounds relationships applied in parallel (default 4).
	Concurrency int
	// Log receives one line per action (default: none).
	Log hclog.Logger
	// AfterStep, when set, runs after each successful action; an error stops
	// that relationship as a crash would: the remaining actions are skipped
	// with that error and nothing is verified (tests use it to interrupt
	// Apply, the daemon to start nothing new during shutdown).
	AfterStep func(Step) error
}

// ErrStopped is returned by an AfterStep hook to stop a relationship.
var ErrStopped = errors.New("stopped after step")

// Apply executes the plan's applicable actions, relationships in parallel
// and each relationship's actions in order, then reads back what it wrote.
// A failure skips the rest of its relationship only; once ctx is done no
// new action starts. Generated passphrases live in memory for the duration of
// one relationship and reach only ONTAP and an offer's handover file.
func Apply(ctx context.Context, clusters map[string]ClusterAPI, plan Plan, opts Options) []Result {
	if opts.Log == nil {
		opts.Log = hclog.NewNullLogger()
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultApplyConcurrency
	}
	per := make([][]Result, len(plan.Relationships))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Concurrency)
	for i, r := range plan.Relationships {
		if len(r.Actions) == 0 {
			continue
		}
		g.Go(func() error {
			per[i] = applyRelationship(gctx, clusters, r, opts)
			return nil
		})
	}
	_ = g.Wait() // workers never return errors; results carry them
	var out []Result
	for _, rs := range per {
		out = append(out, rs...)
	}
	return out
}

// touched is a record a relationship's actions wrote. An anonymous offer
// changes uuid when accepted, so it is found again by name.
type touched struct{ cluster, uuid, name string }

func applyRelationship(ctx context.Context, clusters map[string]ClusterAPI, r Relationship, opts Options) []Result {
	log := opts.Log.With("relationship", r.Name)
	var (
		results   []Result
		pass      ontap.Secret
		stopped   error // why the remaining actions are skipped
		handshake bool
		written   []touched
	)
	for i, a := range r.Actions {
		res := Result{Relationship: r.Name, Kind: a.Kind, Cluster: a.Cluster, UUID: a.UUID}
		if stopped == nil && ctx.Err() != nil {
			stopped = ctx.Err()
		}
		switch {
		case !a.Applicable():
			res.Outcome = OutcomeRefused
		case stopped != nil:
			res.Outcome, res.Err = OutcomeSkipped, stopped
		default:
			uuid, gen, err := executeWithHandover(ctx, clusters[a.Cluster], r.Name, a, pass, opts.Desired)
			if uuid != "" {
				res.UUID = uuid
			}
			if gen != "" {
				pass = gen
			}
			if err != nil {
				stopped = fmt.Errorf("an earlier step failed: %w", err)
				res.Outcome, res.Err = OutcomeFailed, err
				log.Error("action failed", "kind", a.Kind, "cluster", a.Cluster, "uuid", res.UUID, "error", err)
				break
			}
			res.Outcome = OutcomeOK
			log.Info("applied action", "kind", a.Kind, "cluster", a.Cluster, "uuid", res.UUID)
			if a.Passphrase == PassphrasePrevious {
				handshake = true
			}
			if a.Kind != KindDelete && a.Kind != KindReplace {
				t := touched{cluster: a.Cluster, uuid: res.UUID}
				if a.Spec != nil {
					t.name = a.Spec.Name
				}
				written = append(written, t)
			}
			if opts.AfterStep != nil {
				if err := opts.AfterStep(Step{Relationship: r.Name, Index: i, Action: a, UUID: res.UUID}); err != nil {
					stopped = err
				}
			}
		}
		results = append(results, res)
	}
	failed := stopped != nil
	if !failed {
		results = append(results, verify(ctx, clusters, r.Name, written, handshake)...)
	}
	return results
}

// verify reads back every record written; after a two-sided handshake both
// must be authenticated.
func verify(ctx context.Context, clusters map[string]ClusterAPI, name string, written []touched, handshake bool) []Result {
	var out []Result
	for _, t := range written {
		res := Result{Relationship: name, Kind: KindVerify, Cluster: t.cluster, UUID: t.uuid, Outcome: OutcomeOK}
		p, err := readBack(ctx, clusters[t.cluster], t)
		switch {
		case err != nil:
			res.Outcome, res.Err = OutcomeFailed, fmt.Errorf("verify: %w", err)
		case handshake && !established(p):
			state := "unknown"
			if p.Authentication != nil {
				state = string(p.Authentication.State)
			}
			res.Outcome, res.Err = OutcomeFailed, fmt.Errorf("verify peer %s on %s: authentication is %s, not ok", t.uuid, t.cluster, state)
		default:
			res.UUID = p.UUID
		}
		out = append(out, res)
	}
	return out
}

// readBack gets a written record by uuid, or by name when the uuid is gone:
// an accepted anonymous offer gets a new one.
func readBack(ctx context.Context, api ClusterAPI, t touched) (*ontap.Peer, error) {
	fields := []string{"uuid", "name", "authentication.state", "status.state"}
	p, err := api.GetPeer(ctx, t.uuid, fields)
	if err == nil || t.name == "" || !ontap.IsNotFound(err) {
		return p, err
	}
	peers, lerr := api.ListPeers(ctx, fields)
	if lerr != nil {
		return nil, lerr
	}
	for i := range peers {
		if peers[i].Name == t.name {
			return &peers[i], nil
		}
	}
	return nil, err
}

// executeWithHandover performs one action; when it generates an offer's
// passphrase, the handover file is prepared first, so that an unwritable
// path fails the action before ONTAP holds an offer nobody can accept, and
// written after.
func executeWithHandover(ctx context.Context, api ClusterAPI, relName string, a Action, pass ontap.Secret, set *desired.Set) (string, ontap.Secret, error) {
	if a.Spec == nil || a.Spec.HandoverFile == "" || a.Passphrase != PassphraseGenerate {
		return execute(ctx, api, relName, a, pass, set)
	}
	h, err := prepareHandover(a.Spec.HandoverFile)
	if err != nil {
		return a.UUID, "", fmt.Errorf("write offer handover file: %w", err)
	}
	uuid, gen, err := execute(ctx, api, relName, a, pass, set)
	switch {
	case err != nil:
		h.discard()
	case gen == "":
		h.discard()
		err = fmt.Errorf("%s peer on %s: ONTAP returned no generated passphrase for handover file %s", a.Kind, a.Cluster, a.Spec.HandoverFile)
	default:
		if werr := h.commit(gen); werr != nil {
			err = fmt.Errorf("write offer handover file: %w", werr)
		}
	}
	return uuid, gen, err
}

// execute performs one action. It returns the record's uuid and the
// passphrase ONTAP generated, if any.
func execute(ctx context.Context, api ClusterAPI, relName string, a Action, pass ontap.Secret, set *desired.Set) (string, ontap.Secret, error) {
	if api == nil {
		return "", "", fmt.Errorf("no client for cluster %s", a.Cluster)
	}
	switch a.Kind {
	case KindDelete, KindReplace:
		err := api.DeletePeer(ctx, a.UUID)
		if err != nil && !ontap.IsNotFound(err) {
			return a.UUID, "", err // the client names the operation, record and cluster
		}
		return a.UUID, "", nil
	}
	auth, err := authentication(relName, a, pass, set)
	if err != nil {
		return a.UUID, "", err
	}
	if a.Kind == KindCreate {
		p, err := api.CreatePeer(ctx, createRequest(a, auth))
		if err != nil {
			return "", "", err // the client names the operation and cluster
		}
		return p.UUID, generated(p), nil
	}
	p, err := api.PatchPeer(ctx, a.UUID, patchRequest(a, auth))
	if err != nil {
		return a.UUID, "", fmt.Errorf("%s: %w", a.Kind, err)
	}
	gen := generated(p)
	if a.Passphrase == PassphraseGenerate && gen == "" {
		return a.UUID, "", fmt.Errorf("%s peer %s on %s: ONTAP returned no generated passphrase", a.Kind, a.UUID, a.Cluster)
	}
	return a.UUID, gen, nil
}

func generated(p *ontap.Peer) ontap.Secret {
	if p == nil || p.Authentication == nil {
		return ""
	}
	return p.Authentication.Passphrase
}

// authentication builds the passphrase part of a request.
func authentication(relName string, a Action, pass ontap.Secret, set *desired.Set) (*ontap.CreateAuthentication, error) {
	var auth ontap.CreateAuthentication
	switch a.Passphrase {
	case PassphraseNone:
		if a.Kind != KindCreate {
			return nil, nil
		}
	case PassphraseGenerate:
		auth.GeneratePassphrase = true
	case PassphrasePrevious:
		if pass == "" {
			return nil, errors.New("no passphrase was generated by an earlier step")
		}
		auth.Passphrase = pass
	case PassphraseFile:
		secret := filePassphrase(set, relName)
		if secret == "" {
			return nil, fmt.Errorf("relationship %s: no passphrase from passphrase_file", relName)
		}
		auth.Passphrase = secret
	}
	if a.Kind != KindCreate {
		auth.InUse = ontap.InUseOK
	}
	if a.Spec != nil && a.Spec.OfferExpiry > 0 && (a.Passphrase == PassphraseGenerate || a.Passphrase == PassphraseFile) {
		auth.ExpiryTime = isoDuration(a.Spec.OfferExpiry)
	}
	return &auth, nil
}

func filePassphrase(set *desired.Set, name string) ontap.Secret {
	if set == nil {
		return ""
	}
	for _, p := range set.Peers {
		if p.Name == name {
			return ontap.Secret(p.Remote.Passphrase)
		}
	}
	return ""
}

func createRequest(a Action, auth *ontap.CreateAuthentication) ontap.CreatePeerRequest {
	sp := a.Spec
	req := ontap.CreatePeerRequest{
		Name:             sp.Name,
		Authentication:   auth,
		Encryption:       &ontap.CreateEncryption{Proposed: sp.Encryption},
		Ipspace:          &ontap.Ref{Name: sp.Ipspace},
		LocalNetwork:     localNetworkRequest(sp.LocalNetwork),
		PeerApplications: sp.PeerApplications,
	}
	for _, n := range sp.InitialAllowedSVMs {
		req.InitialAllowedSVMs = append(req.InitialAllowedSVMs, ontap.Ref{Name: n})
	}
	if len(sp.RemoteAddresses) > 0 {
		req.Remote = &ontap.CreateRemote{IPAddresses: sp.RemoteAddresses}
	}
	return req
}

func patchRequest(a Action, auth *ontap.CreateAuthentication) ontap.PatchPeerRequest {
	sp := a.Spec
	req := ontap.PatchPeerRequest{Authentication: auth}
	if a.Changed(FieldName) {
		req.Name = &sp.Name
	}
	if a.Changed(FieldEncryption) || auth != nil && (auth.Passphrase != "" || auth.GeneratePassphrase) {
		req.Encryption = &ontap.CreateEncryption{Proposed: sp.Encryption}
	}
	if a.Changed(FieldApplications) {
		apps := append([]ontap.Application{}, sp.PeerApplications...)
		req.PeerApplications = &apps
	}
	if a.Changed(FieldSVMs) {
		refs := []ontap.Ref{}
		for _, n := range sp.InitialAllowedSVMs {
			refs = append(refs, ontap.Ref{Name: n})
		}
		req.InitialAllowedSVMs = &refs
	}
	if a.Changed(FieldRemoteIPs) {
		req.Remote = &ontap.CreateRemote{IPAddresses: sp.RemoteAddresses}
	}
	return req
}

// isoDuration renders d as an ISO-8601 duration, the form ONTAP accepts
// for authentication.expiry_time.
func isoDuration(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("P%dD", d/(24*time.Hour))
	}
	s := "PT"
	if h := d / time.Hour; h > 0 {
		s += fmt.Sprintf("%dH", h)
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		s += fmt.Sprintf("%dM", m)
		d -= m * time.Minute
	}
	if sec := d / time.Second; sec > 0 || s == "PT" {
		s += fmt.Sprintf("%dS", sec)
	}
	return s
}
