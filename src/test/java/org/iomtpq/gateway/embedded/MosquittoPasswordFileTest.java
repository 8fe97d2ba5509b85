package org.iomtpq.gateway.embedded;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines as mosquitto_passwd 2.0.11 wrote them ($7$) and a Mosquitto 1.x $6$ line (computed with Python's hashlib). */
class MosquittoPasswordFileTest {

    private static final String PBKDF2_LINE = "BP_MONITOR_001:$7$101$mF+2V9cCnDOVng4F$MvSRjOoB8if9qUDPNnohDq3z+h5H5gtgnzsm22QhIG6U"
            + "qh+Q77b1wjCzu0fFXxB+tqwPdIHdIX2awThYI5tGiA==";
    private static final String SHA512_LINE = "PULSE_OX_002:$6$AAECAwQFBgcICQoL$/7Vy8pnNpT7UAObW935NUANH5BOQrOLdbi1e9CWBJbzNt75w"
            + "ojU3TkXfHbJyzmguI4UZ43n+6OXO7mjqAmhVSQ==";
    private static final String EMPTY_PASSWORD_LINE = "EMPTY_PW_003:$7$101$AAECAwQFBgcICQoL$Oorei7WAq0Ku89VGerVUptUCdhYay"
            + "RJAt6YxttF7wiwwItrj/1Buq9htNjo6PkVA7w01PY+HiqHwcqfwo/ogYQ==";

    @TempDir
    Path dir;

    private MosquittoPasswordFile file(String... lines) throws Exception {
        Path path = dir.resolve("passwd");
        Files.write(path, java.util.List.of(lines), StandardCharsets.UTF_8);
        return MosquittoPasswordFile.read(path);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void acceptsExactlyTheRightPasswordForBothHashForms() throws Exception {
        MosquittoPasswordFile logins = file("# devices", PBKDF2_LINE, "", SHA512_LINE, EMPTY_PASSWORD_LINE);
        assertTrue(logins.accepts("BP_MONITOR_001", utf8("correct horse")));
        assertFalse(logins.accepts("BP_MONITOR_001", utf8("correct hors")));
        assertFalse(logins.accepts("BP_MONITOR_001", utf8("correct horse ")));
        assertTrue(logins.accepts("PULSE_OX_002", utf8("old style")));
        assertFalse(logins.accepts("PULSE_OX_002", utf8("correct horse")));
        assertTrue(logins.accepts("EMPTY_PW_003", new byte[0]));
        assertFalse(logins.accepts("EMPTY_PW_003", utf8("x")));
        assertFalse(logins.accepts("NOBODY_004", utf8("correct horse")));
        assertFalse(logins.accepts("bp_monitor_001", utf8("correct horse")), "user names are case-sensitive");
    }

    @Test
    void aLineThatIsNotAMosquittoHashIsRefusedWithItsNumber() {
        for (String bad : new String[] {"BP_MONITOR_001:plaintext", "no-colon", ":$7$101$AAAA$AAAA", "U:$7$0$AAAA$AAAA",
                "U:$7$x$AAAA$AAAA", "U:$7$101$!!$AAAA", "U:$5$AAAA$AAAA", "U:$6$AAAA"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> file(PBKDF2_LINE, bad), bad);
            assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> MosquittoPasswordFile.read(dir.resolve("missing")));
    }

    @Test
    void aChangedFileIsReadAgainAndABrokenRewriteKeepsTheLastLogins() throws Exception {
        MosquittoPasswordFile logins = file(PBKDF2_LINE, SHA512_LINE);
        Path path = dir.resolve("passwd");
        Files.write(path, java.util.List.of(SHA512_LINE), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().plusSeconds(10)));
        Thread.sleep(1_100); // looked at no more than once a second
        assertFalse(logins.accepts("BP_MONITOR_001", utf8("correct horse")), "removed from the file");
        assertTrue(logins.accepts("PULSE_OX_002", utf8("old style")));

        Files.writeString(path, "half written", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().plusSeconds(20)));
        Thread.sleep(1_100);
        assertTrue(logins.accepts("PULSE_OX_002", utf8("old style")), "a broken file does not lock everyone out");
    }
}
