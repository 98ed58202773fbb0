package vn.kyso.dss;

import eu.europa.esig.dss.model.x509.CertificateToken;
import eu.europa.esig.dss.enumerations.EncryptionAlgorithm;
import eu.europa.esig.dss.token.AbstractSignatureTokenConnection;
import eu.europa.esig.dss.token.DSSPrivateKeyAccessEntry;
import eu.europa.esig.dss.token.DSSPrivateKeyEntry;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and certificates from the PEM files our test PKI writes: an unencrypted
 * PKCS#8 private key ({@code PRIVATE KEY}; the traditional {@code RSA/EC PRIVATE KEY}
 * forms are accepted too) of any algorithm BouncyCastle knows (RSA, EC on any curve,
 * Ed25519), and certificate files holding one or more PEM certificates (or one DER one).
 */
final class KeyMaterial {
    static {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    private KeyMaterial() {
    }

    static byte[] read(String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new Args.UsageException("no such file: " + file);
        } catch (IOException e) {
            throw new Args.UsageException("cannot read " + file + ": " + e.getMessage());
        }
    }

    static PrivateKey privateKey(String file) {
        String pem = new String(read(file), StandardCharsets.US_ASCII);
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BouncyCastleProvider.PROVIDER_NAME);
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            }
        } catch (IOException e) {
            throw new Args.UsageException("cannot parse the private key in " + file + ": " + e.getMessage());
        }
        throw new Args.UsageException("no unencrypted private key in " + file);
    }

    /** Every certificate in the file, in file order. */
    static List<X509Certificate> certificates(String file) {
        byte[] bytes = read(file);
        List<X509Certificate> out = new ArrayList<>();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        try {
            if (text.contains("-----BEGIN")) {
                JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
                try (PEMParser parser = new PEMParser(new StringReader(text))) {
                    Object o;
                    while ((o = parser.readObject()) != null) {
                        if (o instanceof X509CertificateHolder holder) {
                            out.add(converter.getCertificate(holder));
                        }
                    }
                }
            } else {
                CertificateFactory cf = CertificateFactory.getInstance("X.509");
                for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(bytes))) {
                    out.add((X509Certificate) c);
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new Args.UsageException("cannot parse the certificates in " + file + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new Args.UsageException("no certificate in " + file);
        }
        return out;
    }

    static X509Certificate certificate(String file) {
        return certificates(file).get(0);
    }

    static List<X509Certificate> certificates(List<String> files) {
        List<X509Certificate> out = new ArrayList<>();
        for (String f : files) {
            out.addAll(certificates(f));
        }
        return out;
    }

    static List<CertificateToken> tokens(List<X509Certificate> certificates) {
        List<CertificateToken> out = new ArrayList<>();
        for (X509Certificate c : certificates) {
            out.add(new CertificateToken(c));
        }
        return out;
    }

    /**
     * A DSS signature token over one in-memory key: the signer's key, its
     * certificate and the chain that goes with it (signer first). The key is kept as
     * the JCA object itself, not put in a KeyStore, whose entries insist that key and
     * certificate come from the same provider (BouncyCastle's "ECDSA" key versus the
     * JDK's "EC" certificate key would not do, and the JDK knows no brainpool curve).
     */
    static final class PemToken extends AbstractSignatureTokenConnection {
        private final Entry entry;

        PemToken(PrivateKey key, X509Certificate certificate, List<X509Certificate> chain) {
            List<CertificateToken> all = new ArrayList<>();
            all.add(new CertificateToken(certificate));
            all.addAll(tokens(chain));
            entry = new Entry(key, all);
        }

        DSSPrivateKeyEntry entry() {
            return entry;
        }

        @Override
        public List<DSSPrivateKeyEntry> getKeys() {
            return List.of(entry);
        }

        @Override
        public void close() {
            // nothing to release: the key lives in memory only
        }
    }

    /** The one key of a {@link PemToken}. */
    private static final class Entry implements DSSPrivateKeyAccessEntry {
        private final PrivateKey key;
        private final List<CertificateToken> chain;

        Entry(PrivateKey key, List<CertificateToken> chain) {
            this.key = key;
            this.chain = chain;
        }

        @Override
        public PrivateKey getPrivateKey() {
            return key;
        }

        @Override
        public CertificateToken getCertificate() {
            return chain.get(0);
        }

        @Override
        public CertificateToken[] getCertificateChain() {
            return chain.toArray(new CertificateToken[0]);
        }

        @Override
        public EncryptionAlgorithm getEncryptionAlgorithm() {
            return EncryptionAlgorithm.forKey(getCertificate().getPublicKey());
        }
    }
}
