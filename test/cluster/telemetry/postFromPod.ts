import type * as k8s from '@kubernetes/client-node';
import { execIn } from '../smoke/helpers';

/** POSTs argv[1] (JSON) to argv[2] from inside a pod; prints the status, or `error <message>`. */
const POST = [
  "const [body,url]=process.argv.slice(1);const u=new URL(url);",
  "const r=require('http').request({host:u.hostname,port:u.port,path:u.pathname,method:'POST',timeout:4000,headers:{'content-type':'application/json','content-length':Buffer.byteLength(body)}},(res)=>{res.resume();res.on('end',()=>{process.stdout.write(String(res.statusCode));process.exit(0)})});",
  "r.on('timeout',()=>{process.stdout.write('error timeout');process.exit(0)});r.on('error',(e)=>{process.stdout.write('error '+e.message);process.exit(0)});r.end(body);",
].join('');

/** POSTs a JSON body to `url` from inside a pod's container as `kc`: the status code as a string, or `error …`. */
export async function postFrom(kc: k8s.KubeConfig, namespace: string, pod: { readonly name: string; readonly container: string }, url: string, body: string): Promise<string> {
  const r = await execIn(kc, namespace, pod.name, pod.container, ['node', '-e', POST, body, url]);
  if (r.status !== 'Success') throw new Error(`exec failed: ${r.message} ${r.stderr}`);
  return r.stdout;
}
