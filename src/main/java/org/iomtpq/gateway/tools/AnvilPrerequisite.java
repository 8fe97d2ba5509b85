package org.iomtpq.gateway.tools;

import java.nio.file.Path;

import org.iomtpq.gateway.chain.LocalEthNode;
import org.iomtpq.gateway.cli.CommandFailure;

/** The commands that start their own Anvil say at once, in one line, when it is not installed. */
final class AnvilPrerequisite {

    private AnvilPrerequisite() {
    }

    static void require(Path repoRoot) {
        String missing = LocalEthNode.missingPrerequisite(LocalEthNode.Kind.ANVIL, repoRoot);
        if (missing != null) {
            throw new CommandFailure(missing, CommandFailure.FIX_AND_RETRY);
        }
    }
}
