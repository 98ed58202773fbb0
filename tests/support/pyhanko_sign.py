"""Signs a file with pyHanko as a detached CAdES signature (DER .p7s).

usage: pyhanko_sign.py KEY.pem CERT.pem CHAIN.pem IN OUT
Used by Kyso's tests to check that `kyso verify` accepts signatures made by an
independent implementation.
"""
import asyncio
import sys

from pyhanko.sign import signers


async def main(key, cert, chain, infile, outfile):
    signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(chain,))
    with open(infile, "rb") as f:
        data = f.read()
    cms = await signer.async_sign_general_data(data, "sha256", detached=True, use_cades=True)
    with open(outfile, "wb") as f:
        f.write(cms.dump())


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
