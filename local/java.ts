import { spawnSync } from 'node:child_process';

/** The Java major version DynamoDB Local needs. */
export const JAVA_NEEDED = 17;

/**
 * Checks that Java 17+ is on the PATH before DynamoDB Local is started, and says what
 * to install when it is not — a newcomer should not have to read a JVM stack trace.
 */
export function checkJava(): void {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    throw new Error(
      `presence-ha runs DynamoDB Local, which needs Java ${JAVA_NEEDED} or newer, and no 'java' was found on the PATH. ` +
        `Install a JDK or JRE ${JAVA_NEEDED}+ (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) and try again.`,
    );
  }
  const text = `${out.stderr}${out.stdout}`;
  const match = text.match(/version "(\d+)(?:\.(\d+))?/);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= JAVA_NEEDED)) {
    throw new Error(
      `presence-ha runs DynamoDB Local, which needs Java ${JAVA_NEEDED} or newer; 'java -version' says: ${text.split('\n')[0]}. Install Java ${JAVA_NEEDED}+ and put it first on the PATH.`,
    );
  }
}
