package org.iomtpq.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.iomtpq.gateway.testsupport.SystemPackages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sbom/check.mjs, the dependency check of {@code ./iomt sbom}, run with node on crafted CycloneDX SBOMs: it fails on
 * a version the list denies, a banned jdk15on jar, an expired acceptance, a stale review date and an empty SBOM, and
 * passes on a clean tree, so a check that stopped matching anything would fail here. The denials are tested against
 * the real sbom/known-critical.json, judged on its own review date so that the test does not age; the dates against a
 * crafted list. Skips without node (fails instead where system packages are required, as in CI).
 */
class SbomCheckTest {

    private static final Path CHECK = Path.of("sbom", "check.mjs");
    private static final Path REAL_LIST = Path.of("sbom", "known-critical.json");

    /** Our own versions where the list has an advisory or a ban, several exactly at the fixed version. */
    private static final List<String> CLEAN_TREE = List.of(
            "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.85?type=jar", // what we ship, exactly at the fixed version
            "pkg:maven/org.bouncycastle/bcpkix-jdk18on@1.85?type=jar",
            "pkg:maven/org.apache.commons/commons-text@1.10.0?type=jar",
            "pkg:maven/io.netty/netty-codec-http@4.1.130.Final?type=jar",
            "pkg:maven/io.netty/netty-codec-http@4.1.44.Final?type=jar",
            "pkg:maven/com.h2database/h2@2.3.232?type=jar",
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.19.4?type=jar",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0?type=jar",
            "pkg:maven/org.springframework/spring-beans@6.2.12?type=jar",
            "pkg:maven/org.jetbrains.kotlin/kotlin-stdlib@1.9.25?type=jar",
            "pkg:maven/org.snakeyaml/snakeyaml-engine@3.0.1?type=jar",
            "pkg:npm/minimist@1.2.8",
            "pkg:npm/elliptic@6.6.1",
            "pkg:npm/lodash@4.17.12",
            "pkg:npm/%40babel/traverse@7.23.2",
            "pkg:npm/%40noble/hashes@2.4.0");

    record Result(int exit, String out) {

        List<String> failures() {
            return out.lines().filter(l -> l.startsWith("sbom check: FAIL ")).collect(Collectors.toList());
        }
    }

    @TempDir
    Path dir;

    @BeforeEach // per test, not per class: each shows as skipped with the reason
    void nodeIsInstalled() {
        SystemPackages.requireOrSkip(nodeVersion() == null ? "node is not installed (Node.js 20: apt-get install nodejs)" : null);
    }

    private static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? version : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private static Result check(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", CHECK.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node sbom/check.mjs did not finish");
        return new Result(p.exitValue(), out);
    }

    /** A minimal CycloneDX JSON SBOM with one library per purl. */
    private Path sbom(String name, List<String> purls) throws IOException {
        ObjectMapper json = new ObjectMapper();
        var bom = json.createObjectNode().put("bomFormat", "CycloneDX").put("specVersion", "1.6").put("version", 1);
        var components = bom.putArray("components");
        for (String purl : purls) {
            String coordinates = purl.substring(purl.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
            components.addObject().put("type", "library").put("name", coordinates.substring(0, coordinates.indexOf('@')))
                    .put("version", coordinates.substring(coordinates.indexOf('@') + 1)).put("purl", purl);
        }
        Path file = dir.resolve(name + ".cdx.json");
        json.writeValue(file.toFile(), bom);
        return file;
    }

    private static List<String> with(List<String> tree, String... more) {
        List<String> all = new ArrayList<>(tree);
        all.addAll(List.of(more));
        return all;
    }

    /** The real list judged on the day it was reviewed: its advisories, bans and acceptances, none of its dates. */
    private static String reviewDate() throws IOException {
        return new ObjectMapper().readTree(REAL_LIST.toFile()).get("reviewed").asText();
    }

    private Result checkAgainstTheRealList(Path... sboms) throws Exception {
        List<String> args = new ArrayList<>(List.of("--today", reviewDate()));
        for (Path sbom : sboms) {
            args.add(sbom.toString());
        }
        return check(args.toArray(String[]::new));
    }

    @Test
    void aCleanTreePasses() throws Exception {
        Result r = checkAgainstTheRealList(sbom("clean", CLEAN_TREE));
        assertEquals(0, r.exit(), r.out());
        assertEquals(List.of(), r.failures(), r.out());
        assertTrue(r.out().contains(": " + CLEAN_TREE.size() + " components\n"), r.out());
        assertTrue(r.out().contains("sbom check: OK: 0 finding(s)"), r.out());
    }

    @Test
    void aDeniedVersionFailsWithOneLineNamingTheComponentAndTheAdvisory() throws Exception {
        Path maven = sbom("maven", with(CLEAN_TREE,
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
                "pkg:maven/org.apache.commons/commons-text@1.9?type=jar",
                "pkg:maven/io.netty/netty-codec-http@4.1.43.Final?type=jar",
                "pkg:maven/org.bouncycastle/bcprov-jdk18on@1.84?type=jar"));
        Path npm = sbom("npm", List.of("pkg:npm/elliptic@6.5.3", "pkg:npm/%40babel/traverse@7.23.1"));
        Result r = checkAgainstTheRealList(maven, npm);
        assertEquals(1, r.exit(), r.out());
        List<String> failures = r.failures();
        assertEquals(7, failures.size(), r.out()); // netty 4.1.43 has two advisories; the clean part adds nothing
        assertTrue(has(failures, "maven.cdx.json: org.apache.logging.log4j:log4j-core@2.14.1 CVE-2021-44228"), r.out());
        assertTrue(has(failures, "maven.cdx.json: org.apache.commons:commons-text@1.9 CVE-2022-42889 (critical, fixed in 1.10.0)"), r.out());
        assertTrue(has(failures, "maven.cdx.json: io.netty:netty-codec-http@4.1.43.Final CVE-2019-20445"), r.out());
        assertTrue(has(failures, "maven.cdx.json: io.netty:netty-codec-http@4.1.43.Final CVE-2019-20444"), r.out());
        // 1.84 fixed CVE-2025-14813 only
        assertTrue(has(failures, "maven.cdx.json: org.bouncycastle:bcprov-jdk18on@1.84 CVE-2026-8763 (critical, fixed in 1.85)"), r.out());
        assertTrue(has(failures, "npm.cdx.json: elliptic@6.5.3 GHSA-vjh7-7g9h-fjfh"), r.out()); // only 6.5.4 is accepted
        assertTrue(has(failures, "npm.cdx.json: @babel/traverse@7.23.1 CVE-2023-45133"), r.out());
        assertTrue(r.out().contains("sbom check: FAILED: 7 finding(s)"), r.out());
    }

    @Test
    void aJdk15onBouncyCastleJarFailsWhateverItsVersion() throws Exception {
        Result r = checkAgainstTheRealList(sbom("maven", with(CLEAN_TREE,
                "pkg:maven/org.bouncycastle/bcprov-jdk15on@1.70?type=jar",
                "pkg:maven/org.bouncycastle/bcpkix-jdk15on@1.65?type=jar")));
        assertEquals(1, r.exit(), r.out());
        assertEquals(2, r.failures().size(), r.out());
        assertTrue(has(r.failures(), "org.bouncycastle:bcprov-jdk15on@1.70 is banned (IOMT-BAN-BC-JDK15ON)"), r.out());
        assertTrue(has(r.failures(), "org.bouncycastle:bcpkix-jdk15on@1.65 is banned (IOMT-BAN-BC-JDK15ON)"), r.out());
    }

    @Test
    void theRealListAcceptsGanachesElliptic() throws Exception {
        // the purl npm sbom writes for the elliptic that Ganache 7.9.2 bundles, as in target/sbom/npm-toolchain.cdx.json
        Result r = checkAgainstTheRealList(sbom("npm", List.of("pkg:npm/elliptic@6.5.4", "pkg:npm/ganache@7.9.2")));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("sbom check: NOTE accepted until "), r.out());
        assertTrue(r.out().contains("elliptic@6.5.4 GHSA-vjh7-7g9h-fjfh"), r.out());
    }

    private Path list(String reviewed, String acceptanceExpires) throws IOException {
        Path file = dir.resolve("list.json");
        Files.writeString(file, """
                {
                  "reviewed": "%s",
                  "advisories": [
                    {"id": "TEST-0001", "severity": "critical", "ecosystem": "npm", "package": "left-pad",
                     "affected": [{"fixed": "2.0.0"}], "reason": "a crafted advisory"}
                  ],
                  "banned": [],
                  "accepted": [
                    {"id": "TEST-0001", "package": "left-pad", "version": "1.3.0", "expires": "%s",
                     "reason": "a crafted acceptance"}
                  ]
                }
                """.formatted(reviewed, acceptanceExpires));
        return file;
    }

    @Test
    void anAcceptanceHoldsUntilItsExpiryDayAndFailsAfter() throws Exception {
        Path list = list("2026-12-01", "2027-01-31");
        Path npm = sbom("npm", List.of("pkg:npm/left-pad@1.3.0"));
        Result lastDay = check("--list", list.toString(), "--today", "2027-01-31", npm.toString());
        assertEquals(0, lastDay.exit(), lastDay.out());
        assertTrue(lastDay.out().contains("NOTE accepted until 2027-01-31: npm.cdx.json: left-pad@1.3.0 TEST-0001"), lastDay.out());

        Result dayAfter = check("--list", list.toString(), "--today", "2027-02-01", npm.toString());
        assertEquals(1, dayAfter.exit(), dayAfter.out());
        assertEquals(1, dayAfter.failures().size(), dayAfter.out());
        assertTrue(has(dayAfter.failures(), "npm.cdx.json: left-pad@1.3.0 TEST-0001"), dayAfter.out());
        assertTrue(dayAfter.failures().get(0).contains("acceptance expired on 2027-01-31"), dayAfter.out());

        // the acceptance is for one version: the next vulnerable one is a finding at once
        Result otherVersion = check("--list", list.toString(), "--today", "2027-01-01",
                sbom("npm2", List.of("pkg:npm/left-pad@1.3.1")).toString());
        assertEquals(1, otherVersion.exit(), otherVersion.out());
        assertTrue(has(otherVersion.failures(), "left-pad@1.3.1 TEST-0001"), otherVersion.out());
    }

    @Test
    void aListReviewedMoreThan180DaysAgoFails() throws Exception {
        Path list = list("2026-01-01", "2027-12-31");
        Path clean = sbom("clean", List.of("pkg:npm/left-pad@2.0.0"));
        Result day180 = check("--list", list.toString(), "--today", "2026-06-30", clean.toString());
        assertEquals(0, day180.exit(), day180.out());

        Result day181 = check("--list", list.toString(), "--today", "2026-07-01", clean.toString());
        assertEquals(1, day181.exit(), day181.out());
        assertEquals(List.of("sbom check: FAIL the list was reviewed on 2026-01-01, 181 days ago (at most 180): "
                + "review it against the advisories since, then move \"reviewed\""), day181.failures());
    }

    @Test
    void anEmptySbomFailsAndAFileThatIsNoSbomIsAnErrorNotAPass() throws Exception {
        Result empty = checkAgainstTheRealList(sbom("empty", List.of()));
        assertEquals(1, empty.exit(), empty.out());
        assertTrue(has(empty.failures(), "empty.cdx.json: no components at all"), empty.out());

        Path notSbom = dir.resolve("package.json");
        Files.writeString(notSbom, "{\"name\": \"x\"}");
        Result wrong = checkAgainstTheRealList(notSbom);
        assertEquals(2, wrong.exit(), wrong.out());
        assertTrue(wrong.out().startsWith("sbom check: " + notSbom + " is not a CycloneDX SBOM"), wrong.out());
    }

    private static boolean has(List<String> failures, String fragment) {
        return failures.stream().anyMatch(l -> l.contains(fragment));
    }
}
