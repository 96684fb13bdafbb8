// The import floor of `npm run plan`: a process that only loads @pulumi/pulumi and the provider
// modules the program uses (the AWS services by name, since @pulumi/aws loads them lazily).
import "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import "@pulumi/github";
import "@pulumi/postgresql";
import "@pulumi/random";
import "@pulumiverse/vercel";

void [aws.s3.Bucket, aws.iam.Role, aws.kms.Key, aws.sns.Topic, aws.cloudwatch.MetricAlarm, aws.chatbot.SlackChannelConfiguration, aws.ssm.Parameter];
