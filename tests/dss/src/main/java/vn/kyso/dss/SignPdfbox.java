package vn.kyso.dss;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.ExternalSigningSupport;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.PDSignature;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.SignatureOptions;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.ess.ESSCertIDv2;
import org.bouncycastle.asn1.ess.SigningCertificateV2;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuerSerial;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAttributeTableGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.DefaultSignedAttributeTableGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sign-pdfbox IN.pdf OUT.pdf --key KEY.pem --cert CERT.pem [--chain CA.pem]...
 * [--subfilter adbe.pkcs7.detached|ETSI.CAdES.detached] [--digest ALG] [--pss] [--reason TEXT]}:
 * a PDF signature written by PDFBox's own signing API (incremental save for external
 * signing) with a CMS from BouncyCastle's CMSSignedDataGenerator, so the test corpus
 * has PDFs signed by a writer other than DSS and Kyso.
 *
 * The CMS carries content-type, message-digest, signing-certificate-v2 and
 * cms-algorithm-protection; adbe.pkcs7.detached adds signing-time, while
 * ETSI.CAdES.detached leaves it out as EN 319 142-1 asks (the time is the
 * dictionary's M entry).
 */
final class SignPdfbox {
    static final Args.Spec SPEC = Args.Spec.of("sign-pdfbox", "in out", "key cert chain subfilter digest reason", "pss");

    /** Room for the CMS in /Contents: enough for a chain of a few RSA-4096 certificates. */
    private static final int SIGNATURE_SIZE = 32 * 1024;

    private SignPdfbox() {
    }

    static Map<String, Object> run(Args args) {
        String in = args.positional("in");
        String out = args.positional("out");
        if (!new File(in).isFile()) {
            throw new Args.UsageException("no such file: " + in);
        }
        PrivateKey key = KeyMaterial.privateKey(args.required("key"));
        X509Certificate cert = KeyMaterial.certificate(args.required("cert"));
        List<X509Certificate> chain = KeyMaterial.certificates(args.all("chain"));
        String subfilter = args.option("subfilter") == null ? "adbe.pkcs7.detached" : args.option("subfilter");
        COSName subFilterName;
        if (subfilter.equals("adbe.pkcs7.detached")) {
            subFilterName = PDSignature.SUBFILTER_ADBE_PKCS7_DETACHED;
        } else if (subfilter.equals("ETSI.CAdES.detached")) {
            subFilterName = PDSignature.SUBFILTER_ETSI_CADES_DETACHED;
        } else {
            throw new Args.UsageException("--subfilter must be adbe.pkcs7.detached or ETSI.CAdES.detached");
        }
        boolean etsi = subFilterName == PDSignature.SUBFILTER_ETSI_CADES_DETACHED;
        String digest = DssSigning.digest(args.option("digest")).getJavaName();
        String algorithm = signatureAlgorithm(key, digest, args.flag("pss"));

        try (PDDocument document = Loader.loadPDF(new File(in));
             SignatureOptions options = new SignatureOptions();
             OutputStream output = Files.newOutputStream(Path.of(out))) {
            PDSignature signature = new PDSignature();
            signature.setFilter(PDSignature.FILTER_ADOBE_PPKLITE);
            signature.setSubFilter(subFilterName);
            signature.setName(cert.getSubjectX500Principal().getName());
            if (args.option("reason") != null) {
                signature.setReason(args.option("reason"));
            }
            signature.setSignDate(Calendar.getInstance());
            options.setPreferredSignatureSize(SIGNATURE_SIZE);
            document.addSignature(signature, options);

            ExternalSigningSupport external = document.saveIncrementalForExternalSigning(output);
            byte[] cms;
            try (InputStream content = external.getContent()) {
                cms = cms(content.readAllBytes(), key, cert, chain, algorithm, etsi);
            }
            external.setSignature(cms);
        } catch (IOException e) {
            throw new IllegalStateException("PDFBox could not sign " + in + ": " + e.getMessage(), e);
        }
        return DssSigning.ok(out);
    }

    private static String signatureAlgorithm(PrivateKey key, String javaDigest, boolean pss) {
        String d = javaDigest.replace("-", "");
        if (d.startsWith("SHA3")) {
            d = javaDigest; // SHA3-256withRSA, SHA3-256withECDSA
        }
        String alg = key.getAlgorithm().toUpperCase(Locale.ROOT);
        switch (alg) {
            case "RSA":
                return pss ? d + "withRSAandMGF1" : d + "withRSA";
            case "RSASSA-PSS":
                return d + "withRSAandMGF1";
            case "EC":
            case "ECDSA":
                return d + "withECDSA";
            case "ED25519":
            case "EDDSA":
                return "Ed25519";
            case "ED448":
                return "Ed448";
            default:
                throw new Args.UsageException("sign-pdfbox: unsupported key algorithm " + key.getAlgorithm());
        }
    }

    private static byte[] cms(byte[] content, PrivateKey key, X509Certificate cert, List<X509Certificate> chain,
                              String algorithm, boolean etsi) {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(algorithm).setProvider("BC").build(key);
            AttributeTable extra = new AttributeTable(signingCertificateV2(cert));
            CMSAttributeTableGenerator base = new DefaultSignedAttributeTableGenerator(extra);
            CMSAttributeTableGenerator attributes = etsi
                    ? parameters -> base.getAttributes(parameters).remove(CMSAttributes.signingTime)
                    : base;
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(
                    new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().setProvider("BC").build())
                            .setSignedAttributeGenerator(attributes)
                            .build(signer, cert));
            List<X509Certificate> all = new ArrayList<>();
            all.add(cert);
            all.addAll(chain);
            generator.addCertificates(new JcaCertStore(all));
            CMSSignedData data = generator.generate(new CMSProcessableByteArray(content), false);
            return data.getEncoded("DER");
        } catch (OperatorCreationException | CMSException | GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the CMS: " + e.getMessage(), e);
        }
    }

    /** The ESS signing-certificate-v2 attribute (RFC 5035): SHA-256 of the certificate and its issuer/serial. */
    private static ASN1EncodableVector signingCertificateV2(X509Certificate cert) throws GeneralSecurityException {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        AlgorithmIdentifier sha256 = new DefaultDigestAlgorithmIdentifierFinder().find("SHA-256");
        IssuerSerial issuerSerial = new IssuerSerial(
                new GeneralNames(new GeneralName(X500Name.getInstance(cert.getIssuerX500Principal().getEncoded()))),
                cert.getSerialNumber());
        ESSCertIDv2 id = new ESSCertIDv2(sha256, hash, issuerSerial);
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new Attribute(PKCSObjectIdentifiers.id_aa_signingCertificateV2,
                new DERSet(new SigningCertificateV2(new ESSCertIDv2[]{id}))));
        return v;
    }
}
