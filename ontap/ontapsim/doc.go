// Package ontapsim is a multi-cluster NetApp ONTAP REST simulator. It owns
// the simulated clusters' state (identity, nodes, IPspaces, broadcast
// domains, intercluster LIFs, cluster peer records, jobs), the two-sided
// peering handshake between clusters of one World, fault injection and the
// /_sim control surface. Every cluster has its own http.Handler, so a client
// talks to each exactly as to a cluster management address; tests mount the
// handlers on httptest servers and `peerd sim` on real listeners.
//
// Collection queries (fields=, filters, order_by, max_records paging,
// return_records) are served by the internal query package over records
// rendered as JSON-shaped maps.
//
// # Endpoints
//
//	GET          /api/cluster
//	GET          /api/cluster/nodes, /api/cluster/nodes/{uuid}
//	GET          /api/network/ipspaces, /api/network/ipspaces/{uuid}
//	GET, POST    /api/network/ip/interfaces;  GET /api/network/ip/interfaces/{uuid}
//	GET, POST    /api/cluster/peers
//	GET, PATCH, DELETE /api/cluster/peers/{uuid}
//	GET          /api/cluster/jobs, /api/cluster/jobs/{uuid}
//
// HEAD answers like GET and OPTIONS lists the methods in Allow. Responses
// are application/hal+json, or application/json when the Accept header
// prefers it (as "Accept: application/json" does); the body is the same
// (ONTAP also drops _links other than next from application/json bodies:
// not simulated). Errors are always
// {"error":{"message","code","target"?}}; an unknown path is 404 code "4",
// a method the resource lacks 405 code "3".
//
// # Authentication
//
// HTTP basic authentication on every /api and /_sim request, by default
// admin / netapp1! (Options.Username, Options.Password). Missing or wrong
// credentials answer 401 with code "6691623" and a WWW-Authenticate header.
//
// # Behaviour choices (where ONTAP's documentation is silent or inferred)
//
// Identity: cluster serial numbers are "1-80-NNNNNN" in creation order;
// version.full is "NetApp Release Simulated__<version>: ..."; the timezone
// is Etc/UTC, so times render as "2006-01-02T15:04:05+00:00".
// Management addresses come from 198.18.0.0/15 and are never used.
// Intercluster LIFs ("<node>_ic1", one per node in Default unless
// ClusterConfig.NoInterclusterLIFs) get addresses allocated in order from
// 192.0.2.1-254, then 198.51.100.1-254, then 203.0.113.1-254 (762 in all,
// so 200 two-node clusters fit). Addresses are data only and never dialled.
// Every cluster has IPspaces Default and Cluster plus ClusterConfig.Ipspaces,
// each with one broadcast domain of the same name.
//
// POST /api/cluster/peers always answers 201 with the wrapped body
// {"num_records":1,"records":[{...}]} and a Location header. The record has
// uuid, authentication.expiry_time and _links; when the passphrase was
// generated also name ("" for a targeted offer, "Clus_" + the last four
// characters of the passphrase for an anonymous one, or the given name) and
// authentication.passphrase; an anonymous offer adds ip_address (the first
// local intercluster address of the IPspace, or 0.0.0.0 when it has none);
// a local_network request echoes local_network.interfaces. A body without
// a passphrase generates one (as ONTAP's examples do for {} and for remote
// addresses alone). Generated passphrases are 24 characters of the base64
// alphabet, from the World's seeded generator: the simulator is not a
// source of secrets.
//
// Bodies: unknown fields are 262179 "Unexpected argument" and read-only
// fields 262196, both with the field as target; malformed JSON is 262199,
// truncated JSON 262201, a non-object body 262200; a body on GET or DELETE
// is 262198, except an empty object {} (which NetApp's Python client sends
// with every DELETE). Ansible-style dotted top-level keys ({"remote.ip_addresses":
// [...]}) are accepted. "tls-psk" is accepted for "tls_psk"; only "tls_psk"
// is emitted. Write-only fields (passphrase, generate_passphrase,
// local_network) are never returned by GET and cannot be filtered on.
//
// expiry_time: default one hour, at most seven days ahead (4655058 beyond),
// in the past 4653229. Input as an ISO-8601 duration (PT1H, P2D, P1W; a
// year counts 365 days and a month 30), an ISO-8601 date-time (UTC when it
// has no offset) or "MM/DD/YYYY HH:MM:SS" (UTC).
//
// Handshake: a record offering passphrase P is made by a POST (or a PATCH
// setting authentication.passphrase or generate_passphrase). A POST on
// cluster B with remote.ip_addresses that are intercluster LIFs of cluster A
// and a caller-chosen passphrase P establishes both records at once when A
// holds an unexpired offer of P that is either targeted at B (its remote
// addresses are B's intercluster LIFs) or anonymous. Otherwise, when A holds
// no offer for B, B's record is created as B's own pending offer, and A's
// later POST with the same passphrase establishes both (Flow B works in
// either order). Established records read status "available",
// authentication ok/ok, remote.{name,serial_number,ip_addresses}, the
// remote cluster's version, encryption.state tls_psk when both sides
// proposed tls_psk (the default) else none, and name defaults to the remote
// cluster's name. An accepted anonymous offer gets a new uuid and learns
// the accepting cluster's intercluster addresses.
//
// Pending records: a targeted offer reads status "pending", an anonymous one
// "unidentified", both with authentication.state "pending"; after the
// offer's expiry_time authentication.state is "problem" (the record stays
// until deleted or re-keyed). A targeted offer shows remote.name and
// remote.serial_number of the addressed cluster (learned by the
// introductory RPC) while pending; one with a caller-chosen passphrase is
// also named after it right away. Anonymous offers have no remote.name.
//
// Wrong passphrase: when A has an offer for B with another passphrase, or P
// was offered by A only to another cluster, B's POST or PATCH fails with
// HTTP 400 code "4653230" (the simulator's choice; ONTAP documents none),
// target authentication.passphrase; an expired matching offer answers the
// same code with a message saying so. Both are terminal, not transient.
//
// Other POST errors: own cluster's name as name 4656071; a name already
// used, or a second relationship toward the same remote cluster, 4653075;
// bad name 4656072; remote addresses that are our own LIFs 4653058;
// passphrase shorter than peering_policy.minimum_passphrase_length (default
// 8) 4653236; passphrase without remote addresses 4656069; invalid address
// 4653368; mixed families 4653708; empty remote list 4656081; remote
// addresses but no local intercluster LIF in the IPspace 4656095; unknown
// IPspace 404 code "4" target "uuid"; the Cluster IPspace 1966366.
//
// Unreachable remote: addresses that are no cluster's intercluster LIFs, or
// a cut link, fail the POST or PATCH with HTTP 400 code "4653215"
// ("introductory RPC failed", target remote.ip_addresses), which clients
// treat as transient.
//
// local_network (POST only) creates one intercluster LIF per node in node
// order ("<node>_icN"; fewer addresses than nodes is allowed, as in ONTAP's
// 3-address 4-node example), all or nothing, before the peer. Errors: empty
// list 4656085, no broadcast_domain 4656086, no netmask 4656091, more
// addresses than nodes 4656087, unknown broadcast domain 4656088, broadcast
// domain of another IPspace 4656090, bad netmask 1966269, gateway outside
// the subnet 4656096 (a gateway is optional), an address in use 1376963.
// When the addresses are exactly the nodes' existing intercluster LIFs of
// the IPspace they are reused, so a retry of the same request succeeds.
// Route propagation: creating intercluster LIFs (local_network or POST
// /api/network/ip/interfaces) opens a window of Options.RoutePropagationDelay
// (default 3 s of the World clock) during which peer POSTs with remote
// addresses in that IPspace fail with 4653215; the LIFs stay.
//
// PATCH answers 200. With generate_passphrase it returns
// {"num_records":1,"records":[{"authentication":{"passphrase","expiry_time",
// "in_use"}}]}; with a caller-chosen passphrase it echoes the authentication
// (and encryption) fields sent, as ONTAP's examples do; otherwise {}.
// Rotation: a new passphrase on an established record is an offer ("ok"
// with a pending offer, the CLI's ok-and-offer): the record keeps
// authentication.state "ok" and shows the offer's expiry_time until the
// other side PATCHes the same passphrase, which completes the rotation on
// both. A different passphrase on the other side is 4653230; an offer that
// expires unanswered turns authentication.state to "problem". Changing
// encryption.proposed needs a passphrase or generate_passphrase in the same
// PATCH (4656073). New remote addresses must belong to the peered cluster
// (4653061) and be reachable (4653215); no local intercluster LIF is 4653671.
// expiry_time without a new passphrase is 4656080; passphrase together with
// generate_passphrase true is 262186 (also on POST). A failed PATCH changes
// nothing.
// in_use "absent" reads authentication.state "absent", "revoked" "problem".
//
// DELETE answers 200 {} and removes only the local record; the other
// cluster's record then reads status "unavailable" and authentication
// "problem" until deleted, or re-keyed by a PATCH whose passphrase matches a
// new offer of the deleting cluster.
//
// # Time, reachability and faults
//
// Options.Clock (default real time; use NewFakeClock to step it) drives
// expiry, route propagation and status.update_time, which is the time of the
// record's last change, of its link's last change, or of its offer's expiry
// when that passed. World.CutLink makes established peers "unavailable",
// CutNodes "partial" (or "unavailable" once every node pair is cut),
// RestoreLink "available" again. Cluster.SetFaults injects per-cluster,
// per-/api-request faults drawn from the World's seeded generator and
// served without holding any lock: Latency; ErrorRate answers 503 code
// "65552" before any effect; HangRate waits until the client goes away;
// AfterEffectErrorRate makes mutating requests take effect and answer 500
// code "262145"; Async answers successful mutations (and failures other
// than request-validation errors) with 202 and a job whose polls read
// queued, then running, then success or failure (with the error); jobs are
// dropped 15 minutes (World clock) after they started.
// Request counters count every /api request (before authentication) by
// method and path template such as "/api/cluster/peers/{uuid}".
//
// # Control surface
//
// /_sim/... needs the same basic authentication and speaks JSON:
//
//	GET  /_sim/state            this cluster, its peers (no passphrases), LIF addresses, faults, counters
//	GET  /_sim/counters         {"total":N,"requests":[{"method","path","count"}]}
//	POST /_sim/counters/reset
//	GET|PUT /_sim/faults        {"latency":"250ms","error_rate":0,"hang_rate":0,"after_effect_error_rate":0,"async":false}
//	GET  /_sim/clock            {"now":...}
//	POST /_sim/clock/advance    {"duration":"1h"}  (409 unless the World runs on a FakeClock)
//	POST /_sim/links/cut        {"remote":"cluster-b","pairs":0}  (pairs 0 = the whole link)
//	POST /_sim/links/restore    {"remote":"cluster-b"}
package ontapsim
