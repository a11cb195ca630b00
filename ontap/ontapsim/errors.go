package ontapsim

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/peerd/peerd/ontap/ontapsim/internal/query"
)

// ONTAP error codes the simulator answers with (see doc.go for the choices).
const (
	codeNotFound           = "4"
	codeNotSupported       = "3"
	codeRPCFailure         = "65552"
	codeUnexpected         = "262145"
	codeUnexpectedArgument = "262179"
	codeInvalidValue       = "262185"
	codeMissingValue       = "262177"
	codeCannotSet          = "262196"
	codeInvalidFieldValue  = "262197"
	codeBodyNotAllowed     = "262198"
	codeInvalidJSON        = "262199"
	codeJSONNotObject      = "262200"
	codeJSONEndsEarly      = "262201"
	codeMissingRequired    = "262212"
	codeAuthentication     = "6691623"

	codePeerSelf            = "4653058"
	codePeerDuplicateName   = "4653075"
	codeIntroRPCFailed      = "4653215"
	codeExpiryObsolete      = "4653229"
	codeAuthFailed          = "4653230" // simulator's choice: wrong passphrase / expired offer
	codePassphraseTooShort  = "4653236"
	codeInvalidPeerAddress  = "4653368"
	codeNoICLIFs            = "4653671"
	codeMixedFamilies       = "4653708"
	codeExpiryTooFar        = "4655058"
	codePassphraseNoIPs     = "4656069"
	codeOwnClusterName      = "4656071"
	codeBadName             = "4656072"
	codeEncryptionNeedsPass = "4656073"
	codeNeedPassOrGenerate  = "4656080"
	codeRemoteIPsEmpty      = "4656081"
	codeLocalIPsEmpty       = "4656085"
	codeBcastRequired       = "4656086"
	codeTooManyLocalIPs     = "4656087"
	codeNoPortsForBcast     = "4656088"
	codeLocalIpspaceMissing = "4656089"
	codeIpspaceMismatch     = "4656090"
	codeNetmaskRequired     = "4656091"
	codeNoPortsToBind       = "4656094"
	codeFamilyNotInIpspace  = "4656095"
	codeGatewayRequired     = "4656096"
	codeAddressInUse        = "4656100"
	codeClusterIpspace      = "1966366"

	codeLIFDuplicateIP   = "1376963"
	codeLIFDuplicateName = "1966140"
	codeLIFNeedsHome     = "1967111"
	codeLIFNeedsIpspace  = "1967128"
	codeLIFBadPrefix     = "1966269"
	codeLIFNoPolicy      = "53281065"
)

// apiError is an ONTAP error answer.
type apiError struct {
	status                int
	code, message, target string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func badRequest(code, target, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, target: target, message: fmt.Sprintf(format, args...)}
}

func notFound(target string) *apiError {
	return &apiError{status: http.StatusNotFound, code: codeNotFound, target: target, message: "entry doesn't exist"}
}

// asAPIError converts query errors and anything else to an apiError.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var qe *query.Error
	if errors.As(err, &qe) {
		return &apiError{status: qe.Status, code: qe.Code, message: qe.Message, target: qe.Target}
	}
	return &apiError{status: http.StatusInternalServerError, code: codeUnexpected, message: "Unexpected exception."}
}

func (e *apiError) body() map[string]any {
	m := map[string]any{"message": e.message, "code": e.code}
	if e.target != "" {
		m["target"] = e.target
	}
	return map[string]any{"error": m}
}
