"""Certifies a PDF with pyHanko (a DocMDP certification signature).

usage: pyhanko_certify.py KEY.pem CERT.pem CHAIN.pem IN.pdf OUT.pdf PERM
PERM: NO_CHANGES (P=1), FILL_FORMS (P=2) or ANNOTATE (P=3).
Used by Kyso's tests: a certified input, made by an independent
implementation, that kyso must respect.
"""
import sys

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers


def main(key, cert, chain, infile, outfile, perm):
    signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(chain,))
    meta = signers.PdfSignatureMetadata(
        field_name="Certification",
        certify=True,
        docmdp_permissions=fields.MDPPerm[perm],
    )
    with open(infile, "rb") as inf:
        writer = IncrementalPdfFileWriter(inf)
        with open(outfile, "wb") as outf:
            signers.sign_pdf(writer, meta, signer=signer, output=outf)


if __name__ == "__main__":
    main(*sys.argv[1:7])
