package ontap

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

const interfacesPath = "/api/network/ip/interfaces"

// interfaceFields are the LIF fields the client asks for.
const interfaceFields = "uuid,name,ip,enabled,state,scope,services,service_policy,ipspace,location"

// Cluster returns the local cluster's identity, version and peering policy.
func (c *Client) Cluster(ctx context.Context) (*Cluster, error) {
	resp, err := c.call(ctx, http.MethodGet, "/api/cluster", nil, nil, callOptions{})
	if err != nil {
		return nil, fmt.Errorf("get cluster %s: %w", c.name, err)
	}
	var cl Cluster
	if err := json.Unmarshal(resp.body, &cl); err != nil {
		return nil, fmt.Errorf("get cluster %s: decode: %w", c.name, err)
	}
	return &cl, nil
}

// Nodes returns the cluster's nodes.
func (c *Client) Nodes(ctx context.Context) ([]Node, error) {
	q := url.Values{"fields": {"uuid,name,serial_number,model,state,version"}}
	nodes, err := list[Node](ctx, c, "/api/cluster/nodes", q)
	if err != nil {
		return nil, fmt.Errorf("list nodes on %s: %w", c.name, err)
	}
	return nodes, nil
}

// Ipspaces returns the cluster's IPspaces.
func (c *Client) Ipspaces(ctx context.Context) ([]Ipspace, error) {
	q := url.Values{"fields": {"uuid,name"}}
	spaces, err := list[Ipspace](ctx, c, "/api/network/ipspaces", q)
	if err != nil {
		return nil, fmt.Errorf("list ipspaces on %s: %w", c.name, err)
	}
	return spaces, nil
}

// InterclusterInterfaces returns the intercluster LIFs (service
// intercluster_core) of one IPspace; "" means "Default".
func (c *Client) InterclusterInterfaces(ctx context.Context, ipspace string) ([]IPInterface, error) {
	if ipspace == "" {
		ipspace = "Default"
	}
	lifs, err := c.listInterfaces(ctx, url.Values{"ipspace.name": {ipspace}})
	if err != nil {
		return nil, fmt.Errorf("list intercluster interfaces in ipspace %s on %s: %w", ipspace, c.name, err)
	}
	return lifs, nil
}

func (c *Client) listInterfaces(ctx context.Context, filter url.Values) ([]IPInterface, error) {
	filter.Set("services", "intercluster_core")
	filter.Set("fields", interfaceFields)
	return list[IPInterface](ctx, c, interfacesPath, filter)
}

// interfaceBody is the POST body of an intercluster LIF.
type interfaceBody struct {
	Name          string   `json:"name"`
	IP            IPInfo   `json:"ip"`
	Ipspace       Ref      `json:"ipspace"`
	Location      location `json:"location"`
	ServicePolicy Ref      `json:"service_policy"`
}

type location struct {
	HomeNode Ref `json:"home_node"`
}

// CreateInterface creates one intercluster LIF (service policy
// default-intercluster) and returns it. Like CreatePeer it never creates a
// duplicate: after an unknown outcome it looks the LIF up by name first.
func (c *Client) CreateInterface(ctx context.Context, req CreateInterfaceRequest) (*IPInterface, error) {
	if req.Ipspace == "" {
		req.Ipspace = "Default"
	}
	body := interfaceBody{
		Name:          req.Name,
		IP:            IPInfo{Address: req.Address, Netmask: req.Netmask},
		Ipspace:       Ref{Name: req.Ipspace},
		Location:      location{HomeNode: Ref{Name: req.HomeNode}},
		ServicePolicy: Ref{Name: "default-intercluster"},
	}
	find := func(ctx context.Context) (*IPInterface, error) {
		lifs, err := c.listInterfaces(ctx, url.Values{"name": {req.Name}, "ipspace.name": {req.Ipspace}})
		if err != nil {
			return nil, err
		}
		for i := range lifs {
			if lifs[i].Name == req.Name {
				return &lifs[i], nil
			}
		}
		return nil, nil
	}
	lif, err := c.createInterface(ctx, body, find)
	if err != nil {
		return nil, fmt.Errorf("create interface %s on %s: %w", req.Name, c.name, err)
	}
	return lif, nil
}

func (c *Client) createInterface(ctx context.Context, body interfaceBody, find finder[IPInterface]) (*IPInterface, error) {
	resp, found, err := create(ctx, c, interfacesPath, body, "", find)
	if err != nil {
		return nil, err
	}
	if found != nil {
		return found, nil
	}
	rec, err := decodeRecord[IPInterface](resp.body)
	if err != nil {
		return nil, fmt.Errorf("decode create response: %w", err)
	}
	if rec != nil && rec.UUID != "" {
		return rec, nil
	}
	got, err := find(ctx)
	if err != nil {
		return nil, fmt.Errorf("find created interface: %w", err)
	}
	if got == nil {
		return nil, fmt.Errorf("find created interface: %w", errNoRecord)
	}
	return got, nil
}
