//! ECDSA verification on a short Weierstrass curve given by its parameters,
//! for brainpoolP512r1 (RFC 5639 §3.7), which no RustCrypto crate implements
//! (bp256 and bp384 cover the two smaller Brainpool curves).
//!
//! Verification only, on public data: variable-time affine arithmetic over
//! crypto-bigint's Montgomery form is correct and fast enough (a few ms per
//! signature). Nothing secret ever passes through here.
//!
//! ```text
//! y^2 = x^3 + A*x + B  (mod p),  G = (x, y) of prime order q,  h = 1
//! ```

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd};

use crate::Error;

/// A curve's domain parameters, big-endian hex as RFC 5639 prints them.
pub(super) struct Curve {
    p: &'static str,
    a: &'static str,
    b: &'static str,
    gx: &'static str,
    gy: &'static str,
    q: &'static str,
    bits: u32,
}

/// brainpoolP512r1, RFC 5639 §3.7.
pub(super) const BRAINPOOL_P512R1: Curve = Curve {
    p: "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3",
    a: "7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA",
    b: "3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723",
    gx: "81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822",
    gy: "7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892",
    q: "AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069",
    bits: 512,
};

/// A public point in affine coordinates, as big-endian integers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    x: BoxedUint,
    y: BoxedUint,
}

/// The curve's arithmetic context: field and scalar moduli in Montgomery form.
struct Field<'c> {
    curve: &'c Curve,
    p: BoxedMontyParams,
    a: BoxedMontyForm,
    b: BoxedMontyForm,
}

/// An affine point in Montgomery form, or the point at infinity.
#[derive(Clone)]
enum Affine {
    Infinity,
    At(BoxedMontyForm, BoxedMontyForm),
}

fn uint(hex: &str, bits: u32) -> BoxedUint {
    BoxedUint::from_be_hex(hex, bits).expect("curve constants are valid hex")
}

impl Curve {
    fn field(&self) -> Field<'_> {
        let p = BoxedMontyParams::new_vartime(Odd::new(uint(self.p, self.bits)).expect("p is odd"));
        let a = BoxedMontyForm::new(uint(self.a, self.bits), &p);
        let b = BoxedMontyForm::new(uint(self.b, self.bits), &p);
        Field {
            curve: self,
            p,
            a,
            b,
        }
    }

    fn len(&self) -> usize {
        self.bits.div_ceil(8) as usize
    }
}

impl Point {
    /// Decodes an uncompressed SEC 1 point (`04 ‖ X ‖ Y`) and checks that it
    /// lies on the curve. Compressed points are not accepted (certificates
    /// carry uncompressed ones).
    pub(super) fn from_sec1(curve: &Curve, bytes: &[u8]) -> Option<Point> {
        let n = curve.len();
        if bytes.len() != 1 + 2 * n || bytes[0] != 0x04 {
            return None;
        }
        let x = BoxedUint::from_be_slice(&bytes[1..1 + n], curve.bits).ok()?;
        let y = BoxedUint::from_be_slice(&bytes[1 + n..], curve.bits).ok()?;
        let p = uint(curve.p, curve.bits);
        if x >= p || y >= p {
            return None;
        }
        let point = Point { x, y };
        let field = curve.field();
        field.on_curve(&field.affine(&point)).then_some(point)
    }
}

impl Field<'_> {
    fn element(&self, v: &BoxedUint) -> BoxedMontyForm {
        BoxedMontyForm::new(v.clone(), &self.p)
    }

    fn affine(&self, point: &Point) -> Affine {
        Affine::At(self.element(&point.x), self.element(&point.y))
    }

    fn on_curve(&self, point: &Affine) -> bool {
        match point {
            Affine::Infinity => false,
            Affine::At(x, y) => {
                let rhs = &(&(&x.square() * x) + &(&self.a * x)) + &self.b;
                y.square() == rhs
            }
        }
    }

    fn add(&self, p1: &Affine, p2: &Affine) -> Affine {
        let (x1, y1, x2, y2) = match (p1, p2) {
            (Affine::Infinity, q) | (q, Affine::Infinity) => return q.clone(),
            (Affine::At(x1, y1), Affine::At(x2, y2)) => (x1, y1, x2, y2),
        };
        let lambda = if x1 == x2 {
            if y1 != y2 || bool::from(y1.is_zero()) {
                return Affine::Infinity;
            }
            // Doubling: λ = (3x² + a) / 2y.
            let x_sq = x1.square();
            let num = &(&(&x_sq + &x_sq) + &x_sq) + &self.a;
            let den = y1 + y1;
            &num * &den.invert_vartime().expect("2y is non-zero")
        } else {
            let den = x2 - x1;
            &(y2 - y1) * &den.invert_vartime().expect("x2 - x1 is non-zero")
        };
        let x3 = &(&lambda.square() - x1) - x2;
        let y3 = &(&lambda * &(x1 - &x3)) - y1;
        Affine::At(x3, y3)
    }

    /// `k·P` by double-and-add, most significant bit first.
    fn mul(&self, k: &BoxedUint, point: &Affine) -> Affine {
        let mut acc = Affine::Infinity;
        for i in (0..k.bits_precision()).rev() {
            acc = self.add(&acc, &acc);
            if bool::from(k.bit(i)) {
                acc = self.add(&acc, point);
            }
        }
        acc
    }

    fn generator(&self) -> Affine {
        Affine::At(
            self.element(&uint(self.curve.gx, self.curve.bits)),
            self.element(&uint(self.curve.gy, self.curve.bits)),
        )
    }
}

/// Verifies a DER `Ecdsa-Sig-Value` over `digest` with public key `q_point`
/// (SEC 1 §4.1.4).
pub(super) fn verify(
    curve: &Curve,
    q_point: &Point,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let bad = Err(Error::KeyMismatch);
    let Some((r, s)) = decode_signature(signature) else {
        return bad;
    };
    let bits = curve.bits;
    let q = uint(curve.q, bits);
    let to_scalar = |b: &[u8]| -> Option<BoxedUint> {
        let v = BoxedUint::from_be_slice(b, bits).ok()?;
        (!bool::from(v.is_zero()) && v < q).then_some(v)
    };
    let (Some(r), Some(s)) = (to_scalar(&r), to_scalar(&s)) else {
        return bad;
    };
    // bits2int: the leftmost `bits` bits of the digest, then reduced mod q.
    let keep = digest.len().min(curve.len());
    let mut e = BoxedUint::from_be_slice(&digest[..keep], bits).map_err(|_| Error::KeyMismatch)?;
    if keep * 8 > bits as usize {
        e = e
            .shr_vartime((keep * 8) as u32 - bits)
            .expect("shift below precision");
    }
    let q_nz = NonZero::new(q.clone()).expect("q is non-zero");
    let e = e.rem_vartime(&q_nz);

    let scalars = BoxedMontyParams::new_vartime(Odd::new(q.clone()).expect("q is odd"));
    let s_m = BoxedMontyForm::new(s, &scalars);
    let Some(w) = Option::<BoxedMontyForm>::from(s_m.invert_vartime()) else {
        return bad;
    };
    let u1 = (&BoxedMontyForm::new(e, &scalars) * &w).retrieve();
    let u2 = (&BoxedMontyForm::new(r.clone(), &scalars) * &w).retrieve();

    let field = curve.field();
    let sum = field.add(
        &field.mul(&u1, &field.generator()),
        &field.mul(&u2, &field.affine(q_point)),
    );
    let Affine::At(x, _) = sum else {
        return bad;
    };
    let v = x.retrieve().rem_vartime(&q_nz);
    if v == r {
        Ok(())
    } else {
        bad
    }
}

/// `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` → (r, s) magnitudes.
fn decode_signature(der_bytes: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    use der::asn1::UintRef;
    use der::{Decode, Reader, SliceReader};
    let mut reader = SliceReader::new(der_bytes).ok()?;
    let (r, s) = reader
        .sequence(|seq| Ok::<_, der::Error>((UintRef::decode(seq)?, UintRef::decode(seq)?)))
        .ok()?;
    reader.finish().ok()?;
    Some((r.as_bytes().to_vec(), s.as_bytes().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_on_the_curve_and_has_order_q() {
        let curve = &BRAINPOOL_P512R1;
        let field = curve.field();
        let g = field.generator();
        assert!(field.on_curve(&g), "RFC 5639 constants mistyped");
        let q = uint(curve.q, curve.bits);
        assert!(matches!(field.mul(&q, &g), Affine::Infinity));
        let two_g = field.add(&g, &g);
        assert!(field.on_curve(&two_g));
    }

    #[test]
    fn bad_points_and_signatures_are_refused() {
        let curve = &BRAINPOOL_P512R1;
        let gen = [
            &[4u8][..],
            &hex::decode(curve.gx).unwrap(),
            &hex::decode(curve.gy).unwrap(),
        ]
        .concat();
        let g = Point::from_sec1(curve, &gen).expect("G decodes");
        let mut off = gen.clone();
        off[10] ^= 1;
        assert!(Point::from_sec1(curve, &off).is_none(), "off-curve point");
        assert!(Point::from_sec1(curve, &gen[..gen.len() - 1]).is_none());
        // r = s = 1 with the generator as key: a valid-looking but wrong value.
        let sig = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
        assert!(verify(curve, &g, &[7u8; 64], &sig).is_err());
        assert!(verify(curve, &g, &[7u8; 64], &[0x30, 0x00]).is_err());
    }
}
