"""pyHanko's AdES long-term validation (EN 319 102-1 §5.6.3) of a PDF, offline.

usage: pyhanko_ltv.py FILE.pdf ROOT.pem
Prints one JSON line per regular signature and exits 0 iff all are PASSED.
Only ROOT.pem is trusted and nothing is fetched: the file's own /DSS, its
document time-stamps and what its CMS carries must be enough. Used by Kyso's
tests as an independent check of the B-LT and B-LTA files Kyso makes.
"""
import asyncio
import dataclasses
import json
import logging
import socket
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.ades import (
    _dss_to_local_knowledge,
    ades_lta_validation,
    ades_with_time_validation,
)
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import (
    PdfSignatureStatus,
    format_pretty_print_details,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import (
    REQUIRE_REVINFO,
    CertRevTrustPolicy,
    FreshnessReqType,
)
from pyhanko_certvalidator.registry import SimpleTrustManager


def _no_network(*_args, **_kwargs):
    # A belt to LOCAL_ONLY's braces: should pyHanko still try to reach a
    # responder, the attempt shows up here instead of silently succeeding.
    raise OSError("pyhanko_ltv.py: network access is disabled")


socket.socket.connect = _no_network
socket.socket.connect_ex = _no_network


def spec(root_pem):
    # Revocation data is required for every certificate, as in
    # `pyhanko sign adesverify` without --no-revocation-check
    # (pyhanko/cli/commands/validation/validate.py).
    cert_policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(
            trust_roots=[load_cert_from_pemder(root_pem)]
        ),
        revinfo_policy=CertRevTrustPolicy(
            REQUIRE_REVINFO,
            freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
        ),
    )
    # LOCAL_ONLY keeps OCSP/CRL fetchers out of every validation step
    # (policy_decl._backend_if_necessary returns None); NEVER_FETCH also drops
    # the AIA certificate fetcher.
    offline = RevocationInfoGatheringSpec(
        online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
        certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
    )
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=cert_policy,
            revinfo_gathering_policy=offline,
        )
    )


async def validate_one(sig, pdf_spec, timing):
    """(process, result): §5.6.3 when a document time-stamp covers the
    signature, else §5.5."""
    if any(
        ts.signed_revision > sig.signed_revision
        for ts in sig.reader.embedded_timestamp_signatures
    ):
        return "LTA", await ades_lta_validation(sig, pdf_spec, timing_info=timing)
    # Without a document time-stamp there is no evidence record, and pyHanko's
    # §5.6.3 then still runs past validation after a PASSED current-time
    # result, which can only end in NO_POE for the CA certificates
    # (ades.py, _scoped_ades_lta_validation step 6). §5.5 is the process for
    # a B-LT signature; it is fed the /DSS exactly as §5.6.3 would be.
    sig.compute_integrity_info(pdf_spec.diff_policy)
    spec = dataclasses.replace(
        pdf_spec.signature_validation_spec,
        local_knowledge=_dss_to_local_knowledge(sig.reader),
    )
    return "WITH_TIME", await ades_with_time_validation(
        sig.signed_data,
        spec,
        timing_info=timing,
        raw_digest=sig.compute_digest(),
        extra_status_kwargs=sig.summarise_integrity_info(),
        status_cls=PdfSignatureStatus,
    )


async def validate(path, root_pem):
    pdf_spec = spec(root_pem)
    timing = ValidationTimingInfo.now()
    ok = True
    with open(path, "rb") as f:
        sigs = PdfFileReader(f).embedded_regular_signatures
        if not sigs:
            print(json.dumps({"error": "no regular signature"}))
            return False
        for sig in sigs:
            process, r = await validate_one(sig, pdf_spec, timing)
            st = r.ades_subindic.status.name
            passed = st == "PASSED"
            ok &= passed
            ts = getattr(r, "signature_timestamp_status", None)
            docts = getattr(r, "oldest_evidence_record_timestamp", None)
            print(
                json.dumps(
                    {
                        "field": sig.field_name,
                        "process": process,
                        "indication": st,
                        "subIndication": None if passed else r.ades_subindic.name,
                        "failure": r.failure_msg,
                        "bestSignatureTime": str(r.best_signature_time),
                        "oldestDocTimestamp": str(docts),
                        "signatureTimestamp": ts and ts.ades_subindic.name,
                        "summary": r.api_status and r.api_status.summary(),
                    }
                )
            )
            if not passed and r.api_status is not None:
                # pyHanko's whole reasoning, for the test's failure message.
                print(format_pretty_print_details(r.api_status), file=sys.stderr)
    return ok


if __name__ == "__main__":
    # pyHanko reports a broken document time-stamp chain only as a warning.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.exit(0 if asyncio.run(validate(sys.argv[1], sys.argv[2])) else 1)
