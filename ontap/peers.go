package ontap

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

const peersPath = "/api/cluster/peers"

// ListPeers returns every cluster peer, following _links.next page by page
// (MaxRecords per page). fields selects the returned fields (ONTAP's fields=
// syntax); nil asks for ONTAP's standard set ("*").
func (c *Client) ListPeers(ctx context.Context, fields []string) ([]Peer, error) {
	peers, err := list[Peer](ctx, c, peersPath, fieldsQuery(fields, "*"))
	if err != nil {
		return nil, fmt.Errorf("list peers on %s: %w", c.name, err)
	}
	return peers, nil
}

// GetPeer returns one cluster peer; nil fields gets ONTAP's standard set.
// A missing peer gives an error for which IsNotFound is true.
func (c *Client) GetPeer(ctx context.Context, uuid string, fields []string) (*Peer, error) {
	resp, err := c.call(ctx, http.MethodGet, peerPath(uuid), fieldsQuery(fields, ""), nil, callOptions{})
	if err != nil {
		return nil, fmt.Errorf("get peer %s on %s: %w", uuid, c.name, err)
	}
	p, err := decodePeer(resp.body)
	if err != nil {
		return nil, fmt.Errorf("get peer %s on %s: decode: %w", uuid, c.name, err)
	}
	return p, nil
}

// CreatePeer creates a cluster peer and returns its record with uuid and,
// when ONTAP generated one, the passphrase. It never creates a duplicate:
// after a failure whose outcome is unknown it looks for the record (by name
// when given, else by remote addresses, else as the one record that did not
// exist before) before trying again. When it finds the record that way and
// the passphrase was generated, the response carrying it is lost, so it asks
// ONTAP for a new one (PATCH generate_passphrase). The passphrase is empty
// only when ONTAP never returned one, i.e. both ran as asynchronous jobs.
func (c *Client) CreatePeer(ctx context.Context, req CreatePeerRequest) (*Peer, error) {
	p, err := c.createPeer(ctx, req)
	if err != nil {
		var pass Secret
		if req.Authentication != nil {
			pass = req.Authentication.Passphrase
		}
		return nil, fmt.Errorf("create peer on %s: %w", c.name, scrub(err, pass))
	}
	return p, nil
}

func (c *Client) createPeer(ctx context.Context, req CreatePeerRequest) (*Peer, error) {
	var remoteIPs []string
	if req.Remote != nil {
		remoteIPs = req.Remote.IPAddresses
	}
	var before map[string]bool
	if req.Name == "" && len(remoteIPs) == 0 {
		// Only a new uuid can identify an anonymous offer.
		uuids, err := c.peerUUIDs(ctx)
		if err != nil {
			return nil, err
		}
		before = uuids
	}
	find := func(name string) finder[Peer] {
		return func(ctx context.Context) (*Peer, error) {
			return c.findPeer(ctx, name, remoteIPs, before)
		}
	}
	var pass Secret
	if req.Authentication != nil {
		pass = req.Authentication.Passphrase
	}
	resp, found, err := create(ctx, c, peersPath, req, pass, find(req.Name))
	if err != nil {
		return nil, err
	}
	if resp != nil {
		if found, err = c.createdPeer(ctx, resp, req.Name, find); err != nil {
			return nil, err
		}
	}
	generated := req.Authentication == nil || req.Authentication.Passphrase == ""
	if !generated || (found.Authentication != nil && found.Authentication.Passphrase != "") {
		return found, nil
	}
	// ONTAP generated a passphrase but the response carrying it was lost
	// (or was a job reference): issue a new one.
	patch := PatchPeerRequest{Authentication: &CreateAuthentication{GeneratePassphrase: true, InUse: InUseOK}}
	if req.Authentication != nil {
		patch.Authentication.ExpiryTime = req.Authentication.ExpiryTime
	}
	p, err := c.patchPeer(ctx, found.UUID, patch)
	if err != nil {
		return nil, fmt.Errorf("created peer %s, but renewing its lost passphrase failed: %w", found.UUID, err)
	}
	if p.Authentication != nil && p.Authentication.Passphrase != "" {
		auth := *p.Authentication
		found.Authentication = &auth
	}
	return found, nil
}

// createdPeer decodes a successful create response. A response without
// uuid (flat form of older releases, empty body, job) is completed by
// finding the record, by the generated name when the request had none.
func (c *Client) createdPeer(ctx context.Context, resp *response, name string, find func(string) finder[Peer]) (*Peer, error) {
	rec, err := decodeRecord[Peer](resp.body)
	if err != nil {
		return nil, fmt.Errorf("decode create response: %w", err)
	}
	if rec != nil && rec.UUID != "" {
		return rec, nil
	}
	if rec != nil && rec.Name != "" && name == "" {
		name = rec.Name
	}
	got, err := find(name)(ctx)
	if err != nil {
		return nil, fmt.Errorf("find created peer: %w", err)
	}
	if got == nil {
		return nil, fmt.Errorf("find created peer: %w", errNoRecord)
	}
	if rec != nil && rec.Authentication != nil && rec.Authentication.Passphrase != "" {
		auth := *rec.Authentication
		if got.Authentication != nil {
			auth.InUse, auth.State = got.Authentication.InUse, got.Authentication.State
		}
		got.Authentication = &auth
	}
	return got, nil
}

// peerUUIDs lists the uuids of all current peers.
func (c *Client) peerUUIDs(ctx context.Context) (map[string]bool, error) {
	peers, err := list[Peer](ctx, c, peersPath, fieldsQuery([]string{"uuid"}, ""))
	if err != nil {
		return nil, err
	}
	uuids := make(map[string]bool, len(peers))
	for _, p := range peers {
		uuids[p.UUID] = true
	}
	return uuids, nil
}

// findPeer looks for a record by name, else by remote addresses, else as the
// single record whose uuid is not in before.
func (c *Client) findPeer(ctx context.Context, name string, remoteIPs []string, before map[string]bool) (*Peer, error) {
	peers, err := list[Peer](ctx, c, peersPath, fieldsQuery(nil, "*"))
	if err != nil {
		return nil, err
	}
	var fresh []*Peer
	for i := range peers {
		p := &peers[i]
		switch {
		case name != "":
			if p.Name == name {
				return p, nil
			}
		case len(remoteIPs) > 0:
			if p.Remote != nil && sameSet(p.Remote.IPAddresses, remoteIPs) {
				return p, nil
			}
		case !before[p.UUID]:
			fresh = append(fresh, p)
		}
	}
	if len(fresh) > 1 {
		return nil, fmt.Errorf("%d new peer records appeared; cannot tell which one is ours", len(fresh))
	}
	if len(fresh) == 1 {
		return fresh[0], nil
	}
	return nil, nil
}

// PatchPeer changes the fields set in req (nil fields are not sent) and
// returns what ONTAP answered: the record when it returns one (including a
// generated passphrase), else a Peer holding only the uuid.
func (c *Client) PatchPeer(ctx context.Context, uuid string, req PatchPeerRequest) (*Peer, error) {
	p, err := c.patchPeer(ctx, uuid, req)
	if err != nil {
		var pass Secret
		if req.Authentication != nil {
			pass = req.Authentication.Passphrase
		}
		return nil, fmt.Errorf("patch peer %s on %s: %w", uuid, c.name, scrub(err, pass))
	}
	return p, nil
}

func (c *Client) patchPeer(ctx context.Context, uuid string, req PatchPeerRequest) (*Peer, error) {
	q := url.Values{"return_records": {"true"}}
	resp, err := c.call(ctx, http.MethodPatch, peerPath(uuid), q, req, callOptions{})
	if err != nil {
		return nil, err
	}
	rec, err := decodeRecord[Peer](resp.body)
	if err != nil {
		return nil, fmt.Errorf("decode patch response: %w", err)
	}
	if rec == nil {
		rec = &Peer{}
	}
	if rec.UUID == "" {
		rec.UUID = uuid
	}
	return rec, nil
}

// DeletePeer deletes the local record of a cluster peer. A peer that is
// already gone (404) counts as deleted.
func (c *Client) DeletePeer(ctx context.Context, uuid string) error {
	_, err := c.call(ctx, http.MethodDelete, peerPath(uuid), nil, nil, callOptions{})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("delete peer %s on %s: %w", uuid, c.name, err)
	}
	return nil
}

func peerPath(uuid string) string { return peersPath + "/" + url.PathEscape(uuid) }

// fieldsQuery builds a fields= query; def is used when fields is empty
// ("" = no fields parameter).
func fieldsQuery(fields []string, def string) url.Values {
	q := url.Values{}
	if len(fields) > 0 {
		q.Set("fields", strings.Join(fields, ","))
	} else if def != "" {
		q.Set("fields", def)
	}
	return q
}

// sameSet reports whether a and b hold the same strings, ignoring order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
