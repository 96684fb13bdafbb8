import * as pulumi from "@pulumi/pulumi";
import * as vercel from "@pulumiverse/vercel";
import { EnvironmentName, GithubSettings, WebSettings } from "../config/schema";

export interface WebProjectArgs {
  web: WebSettings;
  github: GithubSettings;
  environment: EnvironmentName;
  /** The branch this environment deploys from; staging's domain is bound to it. */
  branch: string;
  /** Whether this stack creates the project (the model's first stack) or looks it up by name. */
  ownsProject: boolean;
}

/**
 * The Next.js app on Vercel: the project linked to the repository (production branch `main`),
 * and this environment's domain. Staging's domain follows the staging branch's deployments.
 */
export class WebProject extends pulumi.ComponentResource {
  readonly projectId: pulumi.Output<string>;
  readonly domain: vercel.ProjectDomain;

  constructor(name: string, args: WebProjectArgs, opts?: pulumi.ComponentResourceOptions) {
    super("flightdeck:vercel:WebProject", name, {}, opts);
    const { web, github } = args;

    if (args.ownsProject) {
      const project = new vercel.Project(
        `${name}-project`,
        {
          name: web.vercel.projectName,
          teamId: web.vercel.teamId,
          framework: web.vercel.framework,
          rootDirectory: web.vercel.rootDirectory,
          gitRepository: { type: "github", repo: `${github.owner}/${github.repository}`, productionBranch: github.branches.production },
          automaticallyExposeSystemEnvironmentVariables: true,
          // Deployments come only from the workflows (verify, approval gate, promotion);
          // Vercel's own deploy-on-push would bypass the production approval.
          gitProviderOptions: { createDeployments: false },
        },
        { parent: this },
      );
      this.projectId = project.id;
    } else {
      this.projectId = vercel.getProjectOutput({ name: web.vercel.projectName, teamId: web.vercel.teamId }, { parent: this }).id;
    }

    this.domain = new vercel.ProjectDomain(
      `${name}-domain`,
      {
        projectId: this.projectId,
        teamId: web.vercel.teamId,
        domain: web.domain,
        gitBranch: args.environment === "production" ? undefined : args.branch,
      },
      { parent: this },
    );
    this.registerOutputs({ projectId: this.projectId, domain: this.domain.domain });
  }
}
